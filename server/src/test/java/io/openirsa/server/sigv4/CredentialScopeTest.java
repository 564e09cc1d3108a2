package io.openirsa.server.sigv4;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written reading of a credential scope against the form as a regex. */
class CredentialScopeTest {
    private static final Pattern FORM = Pattern.compile("([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request");

    @Property(tries = 3000)
    void readsLikeTheForm(@ForAll("credentials") String credential) {
        Matcher m = FORM.matcher(credential);
        String[] expected = m.matches() ? new String[]{m.group(1), m.group(2), m.group(3), m.group(4)} : null;
        assertThat(SigV4Verifier.scope(credential)).isEqualTo(expected);
    }

    /** Scopes made of pieces near the form's edges: empty parts, extra slashes, short or non-digit dates, other terminators. */
    @Provide
    Arbitrary<String> credentials() {
        Arbitrary<String> piece = Arbitraries.of("", "ASIAEXAMPLE", "20261202", "2026120", "2026120x", "us-east-1", "sts", "aws4_request",
                "aws4_requestx", "/", "a/b", "١٢٣٤٥٦٧٨");
        return piece.list().ofMinSize(1).ofMaxSize(7).map(p -> String.join("/", p));
    }

    @Example
    void aValidScope() {
        assertThat(SigV4Verifier.scope("AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"))
                .isEqualTo(new String[]{"AKIDEXAMPLE", "20150830", "us-east-1", "service"});
        assertThat(SigV4Verifier.scope("AKIDEXAMPLE/20150830/us-east-1/service/aws4_request/")).isNull();
        assertThat(SigV4Verifier.scope("AKIDEXAMPLE//us-east-1/service/aws4_request")).isNull();
    }
}
