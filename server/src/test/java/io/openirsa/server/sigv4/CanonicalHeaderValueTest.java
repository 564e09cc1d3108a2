package io.openirsa.server.sigv4;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written folding of header values (on every signed call's path) against SigV4's rule as a regex. */
class CanonicalHeaderValueTest {

    @Property(tries = 2000)
    void foldsLikeTheRule(@ForAll @StringLength(max = 40) @Chars({' ', '\t', '\n', '\u000B', '\f', '\r', '\u00A0', '\u2003', 'a', 'Z', '=', '/'})
                          @CharRange(from = 'b', to = 'd') String value) {
        assertThat(SigV4.canonicalHeaderValue(value)).isEqualTo(value.strip().replaceAll("\\s+", " "));
    }
}
