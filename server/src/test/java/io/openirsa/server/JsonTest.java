package io.openirsa.server;

import org.junit.jupiter.api.Test;

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
}
