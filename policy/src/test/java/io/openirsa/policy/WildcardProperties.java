package io.openirsa.policy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Wildcard agrees with the obvious (backtracking) reference on small alphabets, where collisions are common. */
class WildcardProperties {

    @Provide
    Arbitrary<String> patterns() {
        return Arbitraries.strings().withChars('a', 'b', '*', '?', '.', '(').ofMaxLength(8);
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.strings().withChars('a', 'b', '*', '?', '.', '(').ofMaxLength(10);
    }

    @Property(tries = 3000)
    void matches_likeReferenceRegex(@ForAll("patterns") String pattern, @ForAll("values") String value) {
        assertThat(Wildcard.compile(pattern).matches(value)).isEqualTo(reference(pattern, false).matcher(value).matches());
    }

    @Property(tries = 1000)
    void ignoreCase_likeReferenceRegex(@ForAll("patterns") String pattern, @ForAll("values") String value) {
        String upper = value.toUpperCase();
        assertThat(Wildcard.compileIgnoreCase(pattern).matches(upper)).isEqualTo(reference(pattern, true).matcher(upper).matches());
    }

    @Property(tries = 200)
    void aPatternMatchesItself_whenItHasNoWildcards(@ForAll("values") String literal) {
        String escapedFree = literal.replace("*", "").replace("?", "");
        assertThat(Wildcard.compile(escapedFree).matches(escapedFree)).isTrue();
    }

    @Property(tries = 20)
    void pathologicalPatterns_finishOnLongValues(@ForAll("lengths") int n) {
        // A backtracking matcher takes exponential time here; this one is linear per segment.
        String value = "a".repeat(n);
        assertThat(Wildcard.compile("*a*a*a*a*a*a*a*a*b").matches(value)).isFalse();
        assertThat(Wildcard.compile("*a*a*a*a*a*a*a*a*").matches(value)).isEqualTo(n >= 8);
    }

    @Property(tries = 2000)
    void longSegmentsBetweenStars_likeReferenceRegex(@ForAll("segments") String middle, @ForAll("longValues") String value) {
        String pattern = "*" + middle + "*";
        assertThat(Wildcard.compile(pattern).matches(value)).isEqualTo(reference(pattern, false).matcher(value).matches());
        String upper = value.toUpperCase();
        assertThat(Wildcard.compileIgnoreCase("a*" + middle + "*b").matches(upper))
                .isEqualTo(reference("a*" + middle + "*b", true).matcher(upper).matches());
    }

    @Provide
    Arbitrary<String> segments() {
        // At most two stars inside: the reference regex backtracks in time of the value's length to the power of
        // its stars, and "*a*a*a*a*a*a*" against 60 characters ran for minutes (CI, 2026-12-07).
        return Arbitraries.strings().withChars('a', 'b', '*').ofMinLength(1).ofMaxLength(12)
                .filter(s -> s.chars().filter(c -> c == '*').count() <= 2);
    }

    @Provide
    Arbitrary<String> longValues() {
        return Arbitraries.strings().withChars('a', 'b', 'A').ofMaxLength(60);
    }

    @Property(tries = 5)
    void aLongLiteralBetweenStars_isFoundOrNot(@ForAll("bigLengths") int n) {
        // The worst case of a scan per position (value length x literal length: 2.95 s a call at 40,000);
        // its speed is measured in bench/ (WildcardBenchmark), its answers here.
        String literal = "a".repeat(n) + "b";
        String value = "a".repeat(2 * n);
        assertThat(Wildcard.compile("*" + literal + "*").matches(value)).isFalse();
        assertThat(Wildcard.compile("*" + literal + "*").matches(value + "b")).isTrue();
        assertThat(Wildcard.compile("*" + literal + "*").matches("b" + literal.substring(1) + value)).isFalse();
    }

    @Provide
    Arbitrary<Integer> bigLengths() {
        return Arbitraries.integers().between(30_000, 40_000);
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.integers().between(1, 200_000);
    }

    static Pattern reference(String glob, boolean ignoreCase) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE : 0));
    }
}
