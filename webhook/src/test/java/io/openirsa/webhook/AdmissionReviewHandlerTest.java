package io.openirsa.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;

/** What a review's tree is counted at before it is built, against the heap the tree really holds. */
class AdmissionReviewHandlerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The members that take the most heap a token or a byte (tiny strings, empty containers, distinct
     * names, numbers that need an object), 200,000 of each in an array: the count is never below the
     * heap the tree holds, measured after a full collection.
     */
    @ParameterizedTest
    @ValueSource(strings = {"\"a\"", "\"x%d\"", "{}", "[]", "[[]]", "{\"k%d\":1}", "{\"f%d\":{}}", "1.5", "12345678901234567890",
            "{\"name\":\"E%d\",\"value\":\"\"}", "\"\\u00e9\"", "\"\\u0001\""})
    void heapFor_isNeverBelowWhatTheTreeHolds(String member) throws Exception {
        StringJoiner array = new StringJoiner(",", "[", "]");
        for (int i = 0; i < 200_000; i++) {
            array.add(member.replace("%d", Integer.toString(i)));
        }
        byte[] body = array.toString().getBytes(StandardCharsets.UTF_8);
        long before = heapInUse();
        JsonNode tree = JSON.readTree(body);
        long held = heapInUse() - before;
        assertThat(tree.size()).isEqualTo(200_000);
        assertThat(AdmissionReviewHandler.heapFor(body)).as("counted against held").isGreaterThanOrEqualTo(held);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{\"a\":", "[1,2,}", "\u0000\u0000"})
    void heapFor_countsWhatIsNotJsonUpToWhereItBreaks(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertThat(AdmissionReviewHandler.heapFor(bytes)).isBetween((long) bytes.length, bytes.length + 4L * AdmissionReviewHandler.TREE_BYTES_PER_TOKEN);
    }

    static long heapInUse() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
