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

    @Test
    void keysHaveAwsShapesAndUseEveryCharacterOfTheirAlphabetEvenly() {
        java.util.Map<Character, Integer> secret = new java.util.HashMap<>();
        java.util.Map<Character, Integer> keyId = new java.util.HashMap<>();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            String s = Identifiers.secretAccessKey();
            assertThat(s).matches("[A-Za-z0-9+/]{40}");
            s.chars().forEach(c -> secret.merge((char) c, 1, Integer::sum));
            String k = Identifiers.sessionAccessKeyId();
            assertThat(k).matches("ASIA[A-Z2-7]{16}");
            k.substring(4).chars().forEach(c -> keyId.merge((char) c, 1, Integer::sum));
        }
        assertThat(Identifiers.roleId()).matches("AROA[A-Z2-7]{17}");
        // 64 and 32 characters each expected n*40/64 = 12,500 and n*16/32 = 10,000 times; a biased or
        // narrowed draw (a wrong mask, a repeated byte) lands far outside 10 %.
        assertThat(secret).hasSize(64);
        assertThat(secret.values()).allSatisfy(c -> assertThat(c).isBetween(11_250, 13_750));
        assertThat(keyId).hasSize(32);
        assertThat(keyId.values()).allSatisfy(c -> assertThat(c).isBetween(9_000, 11_000));
    }

    @Test
    void drawsLongerThanTheBufferAndAcrossItsRefillsAreRandomThroughout() {
        Identifiers.bytes(4000); // the next draw crosses a refill
        byte[] b = Identifiers.bytes(10_000);
        // Each 1,000-byte stretch of random bytes has about 996 non-zero ones; a stretch left unfilled is all zero.
        for (int at = 0; at < b.length; at += 1000) {
            int nonZero = 0;
            for (int i = at; i < at + 1000; i++) {
                nonZero += b[i] != 0 ? 1 : 0;
            }
            assertThat(nonZero).as("non-zero bytes from %d", at).isGreaterThan(970);
        }
    }

    @Test
    void concurrentDrawsNeverShareBytes() throws Exception {
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 16; t++) {
                threads.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        seen.add(java.util.HexFormat.of().formatHex(Identifiers.bytes(12)));
                    }
                });
            }
        }
        assertThat(seen).hasSize(32_000); // 96-bit draws: a repeat means two threads were handed the same bytes
    }
}
