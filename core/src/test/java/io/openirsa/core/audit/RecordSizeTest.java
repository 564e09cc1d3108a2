package io.openirsa.core.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A record's parameters are measured as the JSON they become, so a caller's text cannot make a record
 * much larger than CloudTrail's 100 KB of parameters by choosing characters that JSON escapes.
 */
class RecordSizeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The measure is never less than what Jackson writes for the text (its UTF-8 bytes, quotes aside). */
    @Property(tries = 2000)
    void jsonSize_isAtLeastTheBytesJacksonWrites(@ForAll("texts") String text) throws Exception {
        long written = JSON.writeValueAsString(text).getBytes(StandardCharsets.UTF_8).length - 2;
        assertThat(ApiCall.jsonSize(text)).isGreaterThanOrEqualTo(written);
    }

    @Provide
    Arbitrary<String> texts() {
        // Control characters, quotes and backslashes, ASCII, two- and three-byte characters, and surrogate pairs.
        return Arbitraries.oneOf(Arbitraries.strings().withCharRange('\u0000', '\u007f').ofMaxLength(200), Arbitraries.strings().all().ofMaxLength(200),
                Arbitraries.strings().withChars('\u0001', '"', '\\', '\n', 'a', 'é', '✓', '\ud83d', '\ude00').ofMaxLength(200));
    }

    @Example
    void controlCharacters_countAsTheirEscapes_andLeaveTheParametersOut() {
        ApiCall escaped = call().parameter("junk", "\u0001".repeat(20_000)); // 20,000 characters, 120,000 bytes of JSON
        assertThat(escaped.parametersOmitted()).isTrue();
        String record = CloudTrail.record(escaped).json();
        assertThat(record).contains("\"requestParameters\":null").contains("requestParametersOmitted");
        assertThat(record.length()).isLessThan(5_000);

        ApiCall plain = call().parameter("junk", "a".repeat(90_000)); // under 100 KB: kept
        assertThat(plain.parametersOmitted()).isFalse();
        assertThat(CloudTrail.record(plain).json()).contains("a".repeat(90_000));
    }

    private static ApiCall call() {
        return new ApiCall("sts", "GetCallerIdentity", "r1", Instant.now(), "us-east-1", "192.0.2.1", "test");
    }
}
