package io.openirsa.policy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever the text, parsing either yields a policy or throws MalformedPolicyException: nothing else escapes. */
class ParserFuzzProperties {

    /** Fragments of policy grammar glued at random, so that many inputs get deep before they fail. */
    @Provide
    Arbitrary<String> documents() {
        Arbitrary<String> fragment = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"Version\"", "\"2012-10-17\"", "\"2008-10-17\"",
                "\"Statement\"", "\"Effect\"", "\"Allow\"", "\"Deny\"", "\"Principal\"", "\"*\"", "\"AWS\"", "\"Federated\"",
                "\"Action\"", "\"sts:AssumeRole\"", "\"NotAction\"", "\"Resource\"", "\"Condition\"", "\"StringLike\"",
                "\"ForAllValues:StringEquals\"", "\"a:b\"", "\"${aws:username}\"", "\"${\"", "1", "true", "null", "\"Sid\"", "\"\\u0000\"",
                "\"\u00ff\"", "\"\u4e2d\"", "\"NullIfExists\"", "\"IpAddress\"", "\"1.2.3.4/99\"");
        return fragment.list().ofMaxSize(40).map(l -> String.join("", l));
    }

    @Property(tries = 3000)
    void parse_eitherSucceeds_orThrowsMalformed(@ForAll("documents") String document) {
        for (PolicyKind kind : PolicyKind.values()) {
            try {
                Policy p = Policy.parse(document, kind);
                assertThat(p.statements()).isNotEmpty();
                p.evaluate(RequestContext.builder().action("sts:AssumeRole").resource("arn:aws:s3:::b").put("a:b", "x").build());
            } catch (MalformedPolicyException e) {
                assertThat(e.getMessage()).isNotBlank();
                assertThat(e.location()).isNotBlank();
            }
        }
    }

    @Property(tries = 1000)
    void parse_randomText(@ForAll String text) {
        try {
            Policy.parse(text, PolicyKind.TRUST);
        } catch (MalformedPolicyException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
