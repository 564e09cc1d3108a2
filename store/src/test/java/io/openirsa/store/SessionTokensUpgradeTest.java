package io.openirsa.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.openirsa.core.sts.KeyEncryption;
import io.openirsa.core.sts.SessionClaims;
import io.openirsa.core.sts.SessionTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Session tokens across the change of their plaintext: version 2 tokens (binary claims) open as
 * sealed, and version 1 tokens (JSON claims) that an earlier release issued still open, so an
 * upgrade does not cut the sessions in flight.
 */
class SessionTokensUpgradeTest {
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final SessionClaims CLAIMS = new SessionClaims("ASIAEXAMPLE123456789", "secret/with+chars", "123456789012", "app", "/", "AROAEXAMPLE",
            "bench", NOW, NOW.plusSeconds(3600), "arn:aws:iam::123456789012:oidc-provider/issuer.example/id/ABC", "system:serviceaccount:default:app",
            "sts.amazonaws.com", "{\"Version\":\"2012-10-17\"}", List.of("arn:aws:iam::aws:policy/ReadOnlyAccess"), Map.of("team", "é ✓"),
            List.of("team"), null);

    @Test
    void version2Tokens_openAsSealed_andAlteredOnesDoNot(@TempDir Path data) {
        try (JdbcStore store = JdbcStore.sqlite(data)) {
            SessionTokens tokens = SessionTokens.load(store, KeyEncryption.NONE, NOW);
            String token = tokens.seal(CLAIMS);
            assertThat(Base64.getDecoder().decode(token)[0]).isEqualTo((byte) 2);
            assertThat(tokens.open(token)).hasValue(CLAIMS);
            byte[] raw = Base64.getDecoder().decode(token);
            raw[0] = 1; // the version is bound as associated data: claiming JSON fails the tag
            assertThat(tokens.open(Base64.getEncoder().encodeToString(raw))).isEmpty();
        }
    }

    @Test
    void version1Tokens_sealedByAnEarlierRelease_stillOpen(@TempDir Path data) throws Exception {
        try (JdbcStore store = JdbcStore.sqlite(data)) {
            SessionTokens tokens = SessionTokens.load(store, KeyEncryption.NONE, NOW);
            var stored = store.keys("session-tokens").getFirst();
            SecretKeySpec key = new SecretKeySpec(Base64.getDecoder().decode(stored.material()), "AES");
            byte[] json = new ObjectMapper().registerModule(new JavaTimeModule()).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                    .writeValueAsBytes(CLAIMS);
            byte[] header = ByteBuffer.allocate(5).put((byte) 1).putInt(Integer.parseInt(stored.keyId())).array();
            byte[] nonce = new byte[12];
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            c.updateAAD(header);
            byte[] sealed = c.doFinal(json);
            String v1 = Base64.getEncoder().encodeToString(ByteBuffer.allocate(5 + 12 + sealed.length).put(header).put(nonce).put(sealed).array());
            assertThat(tokens.open(v1)).hasValue(CLAIMS);
        }
    }
}
