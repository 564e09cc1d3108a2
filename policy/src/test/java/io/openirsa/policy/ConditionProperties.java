package io.openirsa.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Laws the condition operators obey whatever the values: a negated operator is the negation of its
 * positive twin on a present single value; ForAllValues and ForAnyValue are duals; a missing or
 * empty set makes ForAllValues true and ForAnyValue false; an applicable Deny always wins.
 */
class ConditionProperties {
    static final ObjectMapper JSON = new ObjectMapper();

    @Provide
    Arbitrary<String> words() {
        return Arbitraries.strings().withChars('a', 'b', 'A', '*', '?').ofMinLength(0).ofMaxLength(4);
    }

    @Provide
    Arbitrary<List<String>> wordLists() {
        return words().list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<String> pairs() {
        return Arbitraries.of("String", "StringIgnoreCase", "StringLike");
    }

    static boolean allowed(String operator, List<String> policyValues, List<String> requestValues) {
        try {
            String doc = JSON.writeValueAsString(Map.of("Version", "2012-10-17", "Statement", List.of(Map.of(
                    "Effect", "Allow", "Action", "s3:GetObject", "Resource", "*",
                    "Condition", Map.of(operator, Map.of("x:key", policyValues))))));
            RequestContext.Builder b = RequestContext.builder().action("s3:GetObject").resource("arn:aws:s3:::b/k");
            if (requestValues != null) {
                b.putAll("x:key", requestValues);
            }
            return Policy.parse(doc, PolicyKind.IDENTITY).evaluate(b.build()).allowed();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String positive(String family) {
        return switch (family) {
            case "String" -> "StringEquals";
            case "StringIgnoreCase" -> "StringEqualsIgnoreCase";
            default -> "StringLike";
        };
    }

    static String negative(String family) {
        return switch (family) {
            case "String" -> "StringNotEquals";
            case "StringIgnoreCase" -> "StringNotEqualsIgnoreCase";
            default -> "StringNotLike";
        };
    }

    @Property(tries = 500)
    void negatedOperator_isTheNegation_onAPresentValue(@ForAll("pairs") String family, @ForAll("wordLists") List<String> policy,
                                                       @ForAll("words") String value) {
        assertThat(allowed(negative(family), policy, List.of(value))).isEqualTo(!allowed(positive(family), policy, List.of(value)));
    }

    @Property(tries = 500)
    void forAllValues_isTheDualOf_forAnyValueNegated(@ForAll("pairs") String family, @ForAll("wordLists") List<String> policy,
                                                     @ForAll("wordLists") List<String> values) {
        assertThat(allowed("ForAllValues:" + positive(family), policy, values))
                .isEqualTo(!allowed("ForAnyValue:" + negative(family), policy, values));
        assertThat(allowed("ForAnyValue:" + positive(family), policy, values))
                .isEqualTo(!allowed("ForAllValues:" + negative(family), policy, values));
    }

    @Property(tries = 200)
    void missingOrEmptySet_forAllValuesHolds_forAnyValueFails(@ForAll("pairs") String family, @ForAll("wordLists") List<String> policy,
                                                              @ForAll boolean empty) {
        List<String> values = empty ? List.of() : null;
        for (String op : List.of(positive(family), negative(family))) {
            assertThat(allowed("ForAllValues:" + op, policy, values)).isTrue();
            assertThat(allowed("ForAnyValue:" + op, policy, values)).isFalse();
        }
    }

    @Property(tries = 200)
    void missingKey_positiveFails_negatedHolds(@ForAll("pairs") String family, @ForAll("wordLists") List<String> policy) {
        assertThat(allowed(positive(family), policy, null)).isFalse();
        assertThat(allowed(negative(family), policy, null)).isTrue();
        assertThat(allowed(positive(family) + "IfExists", policy, null)).isTrue();
    }

    @Property(tries = 300)
    void anApplicableDeny_alwaysWins(@ForAll("pairs") String family, @ForAll("wordLists") List<String> policy,
                                     @ForAll("words") String value) throws Exception {
        String doc = JSON.writeValueAsString(Map.of("Version", "2012-10-17", "Statement", List.of(
                Map.of("Effect", "Allow", "Action", "*", "Resource", "*"),
                Map.of("Effect", "Deny", "Action", "s3:*", "Resource", "*", "Condition", Map.of(positive(family), Map.of("x:key", policy))))));
        RequestContext request = RequestContext.builder().action("s3:GetObject").resource("arn:aws:s3:::b/k").put("x:key", value).build();
        Decision d = Policy.parse(doc, PolicyKind.IDENTITY).evaluate(request);
        boolean denyApplies = allowed(positive(family), policy, List.of(value));
        assertThat(d.outcome()).isEqualTo(denyApplies ? Decision.Outcome.EXPLICIT_DENY : Decision.Outcome.ALLOW);
    }
}
