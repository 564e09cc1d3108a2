package io.openirsa.core.sts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.openirsa.core.Identifiers;
import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.StoredKey;
import io.openirsa.core.store.Store;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Seals {@link SessionClaims} into an opaque session token with AES-256-GCM and opens it again.
 *
 * <p>Token layout (then base64): version (1 byte) | key id (4 bytes) | nonce (12) | ciphertext+tag.
 * The version and key id are bound as associated data, so neither can be swapped. Sealing uses the
 * primary key; opening accepts any key of the keyset, so rotation does not cut live sessions.
 */
public final class SessionTokens {
    static final String OWNER = "session-tokens";
    private static final byte VERSION = 1;
    private static final int NONCE = 12;
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Map<Integer, SecretKeySpec> keys;
    private final int primary;

    private SessionTokens(Map<Integer, SecretKeySpec> keys, int primary) {
        this.keys = keys;
        this.primary = primary;
    }

    /** Loads the keyset, creating its first key in an empty store. */
    public static SessionTokens load(Store store, Instant now) {
        List<StoredKey> stored = store.keys(OWNER);
        if (stored.isEmpty()) {
            int id = Identifiers.random().nextInt() & 0x7fffffff;
            String material = Base64.getEncoder().encodeToString(Identifiers.bytes(32));
            store.insertKey(new StoredKey(OWNER, Integer.toString(id), KeyStatus.PRIMARY, material, now, now));
            stored = store.keys(OWNER);
        }
        Map<Integer, SecretKeySpec> keys = stored.stream().collect(Collectors.toMap(
                k -> Integer.parseInt(k.keyId()),
                k -> new SecretKeySpec(Base64.getDecoder().decode(k.material()), "AES"),
                (a, b) -> a));
        int primary = stored.stream().filter(k -> k.status() == KeyStatus.PRIMARY)
                .map(k -> Integer.parseInt(k.keyId())).findFirst()
                .orElseThrow(() -> new IllegalStateException("session-token keyset has no primary key"));
        return new SessionTokens(keys, primary);
    }

    public String seal(SessionClaims claims) {
        try {
            byte[] plaintext = JSON.writeValueAsBytes(claims);
            byte[] nonce = Identifiers.bytes(NONCE);
            ByteBuffer header = ByteBuffer.allocate(5).put(VERSION).putInt(primary);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(primary), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(header.array());
            byte[] sealed = cipher.doFinal(plaintext);
            ByteBuffer out = ByteBuffer.allocate(5 + NONCE + sealed.length).put(header.array()).put(nonce).put(sealed);
            return Base64.getEncoder().encodeToString(out.array());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("sealing a session token failed", e);
        }
    }

    /** The claims, or empty when the token is not one of ours or was altered. Never throws on input. */
    public Optional<SessionClaims> open(String token) {
        try {
            byte[] raw = Base64.getDecoder().decode(token.trim());
            if (raw.length < 5 + NONCE + 16 || raw[0] != VERSION) {
                return Optional.empty();
            }
            int keyId = ByteBuffer.wrap(raw, 1, 4).getInt();
            SecretKeySpec key = keys.get(keyId);
            if (key == null) {
                return Optional.empty();
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, raw, 5, NONCE));
            cipher.updateAAD(raw, 0, 5);
            byte[] plaintext = cipher.doFinal(raw, 5 + NONCE, raw.length - 5 - NONCE);
            return Optional.of(JSON.readValue(new String(plaintext, StandardCharsets.UTF_8), SessionClaims.class));
        } catch (IllegalArgumentException | GeneralSecurityException | java.io.IOException e) {
            return Optional.empty();
        }
    }

}
