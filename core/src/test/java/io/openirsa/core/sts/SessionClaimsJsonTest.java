package io.openirsa.core.sts;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written JSON of a session token's claims reads back, through Jackson, as the claims it was written from. */
class SessionClaimsJsonTest {

    @Property(tries = 1000)
    void readsBackAsWritten(@ForAll("claims") SessionClaims claims) throws Exception {
        assertThat(SessionTokens.claims(SessionTokens.json(claims))).isEqualTo(claims);
    }

    @Provide
    Arbitrary<SessionClaims> claims() {
        // Any text, nulls included: quotes, backslashes, control characters and other scripts must survive.
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(30).injectNull(0.2);
        Arbitrary<Instant> time = Arbitraries.longs().between(0, 4_102_444_800_000_000_000L).map(n -> Instant.ofEpochSecond(0, n)).injectNull(0.1);
        Arbitrary<List<String>> list = Arbitraries.strings().ofMaxLength(20).list().ofMaxSize(3);
        Arbitrary<Map<String, String>> tags = Arbitraries.maps(Arbitraries.strings().ofMinLength(1).ofMaxLength(10), Arbitraries.strings().ofMaxLength(10))
                .ofMaxSize(3);
        return Combinators.combine(text.list().ofSize(12), time, time, list, tags, list).as((t, issued, expires, arns, tg, keys) ->
                new SessionClaims(t.get(0), t.get(1), t.get(2), t.get(3), t.get(4), t.get(5), t.get(6), issued, expires, t.get(7), t.get(8),
                        t.get(9), t.get(10), arns, tg, keys, t.get(11)));
    }
}
