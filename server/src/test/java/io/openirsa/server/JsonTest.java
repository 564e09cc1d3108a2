package io.openirsa.server;

import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {
    @Test
    void anObjectKeepsItsMembersInTheOrderGiven() {
        // Ten members, named against the order a hash map would keep them in.
        Object[] members = new Object[20];
        for (int i = 0; i < 10; i++) {
            members[2 * i] = "m" + (9 - i);
            members[2 * i + 1] = i;
        }
        assertThat(Json.write(Json.object(members)))
                .isEqualTo("{\"m9\":0,\"m8\":1,\"m7\":2,\"m6\":3,\"m5\":4,\"m4\":5,\"m3\":6,\"m2\":7,\"m1\":8,\"m0\":9}");
        assertThat(Json.write(Json.object("b", null, "a", "x"))).isEqualTo("{\"b\":null,\"a\":\"x\"}");
    }

    @Test
    void aNameWithoutAValueIsRefused() {
        assertThatThrownBy(() -> Json.object("a", 1, "b")).isInstanceOf(IllegalArgumentException.class);
    }

    /** A body is read up to 10,000 JSON tokens (a tree of them stays small); one past it is the API's bad-request error. */
    @Test
    void aRequestBodyOfTooManyTokens_isRefused() {
        StringBuilder members = new StringBuilder("{\"tags\":{");
        for (int i = 0; i < 4_997; i++) { // {, "tags", {, a name and a value each, }, }: 9,999 tokens
            members.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":0");
        }
        String fits = members + "}}";
        assertThat(Json.readObject(fits.getBytes(StandardCharsets.UTF_8), AwsError.BAD_REQUEST).path("tags").size()).isEqualTo(4_997);
        String over = members + ",\"one\":0}}";
        assertThatThrownBy(() -> Json.readObject(over.getBytes(StandardCharsets.UTF_8), AwsError.BAD_REQUEST))
                .isInstanceOfSatisfying(AwsException.class, e -> {
                    assertThat(e.error()).isEqualTo(AwsError.BAD_REQUEST);
                    assertThat(e.getMessage()).isEqualTo("The request body holds more than 10000 JSON tokens");
                });
    }
}
