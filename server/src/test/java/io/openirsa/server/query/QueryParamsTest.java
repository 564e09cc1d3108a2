package io.openirsa.server.query;

import io.openirsa.core.AwsException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The form parser on every query-protocol call's path, against the form rules written the plain way. */
class QueryParamsTest {

    @Property(tries = 3000)
    void parsesAsTheFormRulesSay(@ForAll @StringLength(max = 30) @Chars({'a', 'b', '=', '&', '+', '%', '2', '0', 'F'}) String form) {
        Map<String, String> expected;
        try {
            expected = byTheRules(form);
        } catch (IllegalArgumentException malformed) {
            assertThatThrownBy(() -> QueryParams.parse(form)).isInstanceOfSatisfying(AwsException.class,
                    e -> assertThat(e.code()).isEqualTo("MalformedQueryString"));
            return;
        }
        assertThat(QueryParams.parse(form).all()).containsExactlyEntriesOf(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Action=GetCallerIdentity&Version=2011-06-15 | Action | GetCallerIdentity",
            "a=1&a=2                                     | a      | 1",
            "&&a=x%2By+z&                                | a      | x+y z",
            "a=b=c                                       | a      | b=c",
            "flag&b=2                                    | flag   | ''",
    })
    void examples(String form, String name, String value) {
        assertThat(QueryParams.parse(form).get(name)).isEqualTo(value);
    }

    @Property(tries = 200)
    void bodyAndQueryString_theFirstValueWins(@ForAll @StringLength(min = 1, max = 8) @Chars({'a', 'b', 'c'}) String v) {
        assertThat(QueryParams.parse("Name=" + v, "Name=other&Extra=" + v).all()).containsExactly(Map.entry("Name", v), Map.entry("Extra", v));
    }

    /** Pairs split at '&', empty ones skipped, name and value split at the first '=', each URL-decoded; the first value wins. */
    private static Map<String, String> byTheRules(String form) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : form.split("&")) {
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                m.putIfAbsent(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    /** A thousand parameters are read; one more, in the body and the query string together, is a ValidationError. */
    @org.junit.jupiter.api.Test
    void moreThanAThousandParameters_areRefused() {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < QueryParams.MAX_PARAMETERS - 1; i++) {
            form.append("p").append(i).append("=&");
        }
        assertThat(QueryParams.parse(form.toString(), "last=1").all()).hasSize(QueryParams.MAX_PARAMETERS);
        assertThatThrownBy(() -> QueryParams.parse(form + "one=&", "more=1")).isInstanceOfSatisfying(AwsException.class, e -> {
            assertThat(e.code()).isEqualTo("ValidationError");
            assertThat(e.getMessage()).isEqualTo("1 validation error detected: the request has more than 1000 parameters");
        });
    }
}
