package io.openirsa.core;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class IdentifiersTest {

    @Test
    void timeOrderedUuidsAreVersion7UuidsThatSortByTime() throws InterruptedException {
        long before = System.currentTimeMillis();
        String id = Identifiers.timeOrderedUuid();
        UUID parsed = UUID.fromString(id);
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(parsed.version()).isEqualTo(7);
        assertThat(parsed.variant()).isEqualTo(2);
        assertThat(parsed.getMostSignificantBits() >>> 16).isBetween(before, System.currentTimeMillis());

        Thread.sleep(2);
        assertThat(Identifiers.timeOrderedUuid()).isGreaterThan(id);
    }

    @Test
    void timeOrderedUuidsDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            assertThat(seen.add(Identifiers.timeOrderedUuid())).isTrue();
        }
    }
}
