package io.openirsa.store;

import io.openirsa.core.sts.KeyEncryption;
import io.openirsa.core.sts.SessionClaims;
import io.openirsa.core.sts.SessionTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Session tokens open to exactly the claims sealed in them, and not at all once any byte is altered. */
class SessionTokensTest {
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00.123456789Z");
    private static final SessionClaims CLAIMS = new SessionClaims("ASIAEXAMPLE123456789", "secret/with+chars", "123456789012", "app", "/", "AROAEXAMPLE",
            "bench", NOW, NOW.plusSeconds(3600), "arn:aws:iam::123456789012:oidc-provider/issuer.example/id/ABC", "system:serviceaccount:default:app",
            "sts.amazonaws.com", "{\"Version\":\"2012-10-17\"}", List.of("arn:aws:iam::aws:policy/ReadOnlyAccess"), Map.of("team", "é ✓"),
            List.of("team"), null);

    @Test
    void tokens_openAsSealed_andAlteredOnesDoNot(@TempDir Path data) {
        try (JdbcStore store = JdbcStore.sqlite(data)) {
            SessionTokens tokens = SessionTokens.load(store, KeyEncryption.NONE, NOW, SessionTokens.rotationPolicy(Duration.ofDays(7)));
            String token = tokens.seal(CLAIMS);
            assertThat(tokens.open(token)).hasValue(CLAIMS);
            byte[] raw = Base64.getDecoder().decode(token);
            for (int i : new int[] {0, 1, 4, 5, 16, 17, raw.length / 2, raw.length - 1}) { // version, key id, nonce, ciphertext, tag
                byte[] altered = raw.clone();
                altered[i] ^= 1;
                assertThat(tokens.open(Base64.getEncoder().encodeToString(altered))).as("byte " + i + " altered").isEmpty();
            }
            assertThat(tokens.open("not base64 at all")).isEmpty();
            // Another spelling of the same bytes: the unused low bits of the last character before the padding.
            String padded = token;
            for (int n = 0; !padded.endsWith("="); n++) {
                String name = "s".repeat(2 + n);
                padded = tokens.seal(new SessionClaims(CLAIMS.accessKeyId(), CLAIMS.secretAccessKey(), CLAIMS.accountId(), CLAIMS.roleName(),
                        CLAIMS.rolePath(), CLAIMS.roleId(), name, NOW, NOW.plusSeconds(3600), CLAIMS.provider(), CLAIMS.subject(), CLAIMS.audience(),
                        null, List.of(), Map.of(), List.of(), null));
            }
            assertThat(tokens.open(padded)).isPresent();
            int last = padded.indexOf('=') - 1;
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            int value = alphabet.indexOf(padded.charAt(last));
            String respelled = padded.substring(0, last) + alphabet.charAt(value ^ 1) + padded.substring(last + 1);
            assertThat(Base64.getDecoder().decode(respelled)).isEqualTo(Base64.getDecoder().decode(padded));
            assertThat(tokens.open(respelled)).as("the same bytes, spelled otherwise").isEmpty();
            assertThat(tokens.open("")).isEmpty();
        }
    }

    /** A stale keyset is read again by one caller while the others go on: not by every request that finds it stale. */
    @Test
    void aStaleKeyset_isReadAgainByOneCallerAtATime(@TempDir Path data) throws Exception {
        try (JdbcStore real = JdbcStore.sqlite(data)) {
            java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
            io.openirsa.core.store.Store slow = (io.openirsa.core.store.Store) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {io.openirsa.core.store.Store.class}, (proxy, method, args) -> {
                        if (method.getName().equals("keys")) {
                            reads.incrementAndGet();
                            Thread.sleep(50); // a slow database: every caller that finds the keyset stale would wait here
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            SessionTokens tokens = SessionTokens.load(slow, KeyEncryption.NONE, NOW, SessionTokens.rotationPolicy(Duration.ofDays(7)));
            reads.set(0);
            long started = System.nanoTime();
            List<Thread> callers = new java.util.ArrayList<>();
            for (int t = 0; t < 16; t++) {
                callers.add(Thread.ofPlatform().start(() -> {
                    while (System.nanoTime() - started < Duration.ofMillis(2500).toNanos()) {
                        assertThat(tokens.seal(CLAIMS)).isNotEmpty();
                    }
                }));
            }
            for (Thread c : callers) {
                c.join();
            }
            assertThat(reads.get()).as("about one read a second, not one per caller").isBetween(1, 5);
        }
    }

    @Test
    void keysRotate_andATokenOpensUntilItsKeyIsDestroyed_afterTheLongestSession(@TempDir Path data) {
        try (JdbcStore store = JdbcStore.sqlite(data)) {
            SessionTokens tokens = SessionTokens.load(store, KeyEncryption.NONE, NOW, SessionTokens.rotationPolicy(Duration.ofDays(7)));
            String old = tokens.seal(CLAIMS);
            assertThat(tokens.rotate(NOW.plus(Duration.ofDays(1)))).isEmpty();
            // A minute before the primary is a week old, a pending key is added: every replica reads it before it seals.
            assertThat(tokens.rotate(NOW.plus(Duration.ofDays(7)).minusSeconds(60))).hasSize(1);
            assertThat(store.keys("session-tokens")).extracting(k -> k.keyId() + " " + k.status()).containsExactly("1 PRIMARY", "2 PENDING");
            assertThat(header(tokens.seal(CLAIMS))).as("still sealed with key 1").isEqualTo(1);
            tokens.rotate(NOW.plus(Duration.ofDays(7)));
            assertThat(store.keys("session-tokens")).extracting(k -> k.keyId() + " " + k.status()).containsExactly("1 RETIRED", "2 PRIMARY");
            String fresh = tokens.seal(CLAIMS);
            assertThat(header(fresh)).isEqualTo(2);
            assertThat(tokens.open(old)).as("a session sealed with the retired key lives on").hasValue(CLAIMS);
            tokens.rotate(NOW.plus(Duration.ofDays(7)).plus(Duration.ofHours(12).plusMinutes(5)));
            assertThat(store.keys("session-tokens")).extracting(k -> k.keyId() + " " + k.status()).containsExactly("2 PRIMARY");
            assertThat(tokens.open(old)).as("its key destroyed once no session it sealed can be alive").isEmpty();
            assertThat(tokens.open(fresh)).hasValue(CLAIMS);
        }
    }

    private static int header(String token) {
        return java.nio.ByteBuffer.wrap(Base64.getDecoder().decode(token), 1, 4).getInt();
    }
}
