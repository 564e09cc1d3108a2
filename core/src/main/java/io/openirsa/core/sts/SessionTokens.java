package io.openirsa.core.sts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.openirsa.core.Identifiers;
import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.StoredKey;
import io.openirsa.core.store.Store;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/**
 * Seals {@link SessionClaims} into an opaque session token with AES-256-GCM and opens it again.
 *
 * <p>Token layout (then base64): version (1 byte) | key id (4 bytes) | nonce (12) | ciphertext+tag.
 * The version and key id are bound as associated data, so neither can be swapped. Version 2 seals
 * the claims in {@link SessionClaimsEncoding}; version 1, sealed by earlier releases and still
 * opened for the sessions they issued, as JSON. Sealing uses the
 * primary key; opening accepts any key of the keyset, so rotation does not cut live sessions.
 */
public final class SessionTokens {
    static final String OWNER = "session-tokens";
    private static final byte VERSION = 2;
    private static final byte VERSION_JSON = 1;
    private static final int NONCE = 12;
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    private record Keyset(Map<Integer, SecretKeySpec> keys, int primary) {
    }

    private final Store store;
    private final KeyEncryption encryption;
    /** Ciphers to reuse (each is used by one call at a time): looking one up cost as much as the sealing. */
    private final ConcurrentLinkedQueue<Cipher> ciphers = new ConcurrentLinkedQueue<>();
    private volatile Keyset keyset;
    private volatile Instant reloaded = Instant.EPOCH;

    private SessionTokens(Store store, KeyEncryption encryption, Keyset keyset) {
        this.store = store;
        this.encryption = encryption;
        this.keyset = keyset;
    }

    /**
     * Loads the keyset, creating its first key in an empty store. The first key has a fixed id, so
     * replicas starting together on one database agree on it.
     */
    public static SessionTokens load(Store store, KeyEncryption encryption, Instant now) {
        if (store.keys(OWNER).isEmpty()) {
            String material = encryption.seal(Base64.getEncoder().encodeToString(Identifiers.bytes(32)));
            store.insertKey(new StoredKey(OWNER, "1", KeyStatus.PRIMARY, material, now, now));
        }
        return new SessionTokens(store, encryption, read(store, encryption));
    }

    private static Keyset read(Store store, KeyEncryption encryption) {
        List<StoredKey> stored = store.keys(OWNER);
        Map<Integer, SecretKeySpec> keys = stored.stream().collect(Collectors.toMap(
                k -> Integer.parseInt(k.keyId()),
                k -> new SecretKeySpec(Base64.getDecoder().decode(encryption.open(k.material())), "AES"),
                (a, b) -> a));
        int primary = stored.stream().filter(k -> k.status() == KeyStatus.PRIMARY)
                .map(k -> Integer.parseInt(k.keyId())).min(Integer::compare)
                .orElseThrow(() -> new IllegalStateException("session-token keyset has no primary key"));
        return new Keyset(Map.copyOf(keys), primary);
    }

    /** A key id we do not know may be one another replica added: read the keyset again, at most once a second. */
    private SecretKeySpec key(int id) {
        SecretKeySpec k = keyset.keys().get(id);
        if (k == null && Instant.now().isAfter(reloaded.plusSeconds(1))) {
            reloaded = Instant.now();
            keyset = read(store, encryption);
            k = keyset.keys().get(id);
        }
        return k;
    }

    private Cipher cipher() throws GeneralSecurityException {
        Cipher c = ciphers.poll();
        return c != null ? c : Cipher.getInstance("AES/GCM/NoPadding");
    }

    public String seal(SessionClaims claims) {
        try {
            byte[] plaintext = SessionClaimsEncoding.encode(claims);
            byte[] nonce = Identifiers.bytes(NONCE);
            Keyset ks = keyset;
            ByteBuffer header = ByteBuffer.allocate(5).put(VERSION).putInt(ks.primary());
            Cipher cipher = cipher();
            cipher.init(Cipher.ENCRYPT_MODE, ks.keys().get(ks.primary()), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(header.array());
            byte[] sealed = cipher.doFinal(plaintext);
            ciphers.offer(cipher);
            ByteBuffer out = ByteBuffer.allocate(5 + NONCE + sealed.length).put(header.array()).put(nonce).put(sealed);
            return Base64.getEncoder().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing a session token failed", e);
        }
    }

    /** The claims a version 1 token's plaintext holds: Jackson's reading, the one place a token's JSON is read. */
    static SessionClaims claims(byte[] json) throws IOException {
        return JSON.readValue(new String(json, StandardCharsets.UTF_8), SessionClaims.class);
    }

    /** The claims, or empty when the token is not one of ours or was altered. Never throws on input. */
    public Optional<SessionClaims> open(String token) {
        String exact = token.trim();
        Opened known = opened.getIfPresent(exact);
        if (known != null && keyset.keys().containsKey(known.keyId())) {
            return Optional.of(known.claims()); // these exact characters opened before, and their key is still in the keyset
        }
        Optional<Opened> now = unseal(exact);
        now.ifPresent(o -> opened.put(exact, o));
        return now.map(Opened::claims);
    }

    /**
     * Tokens opened before, by their exact text: an SDK signs every call of a session with the same
     * token, and decrypting and parsing it again was 14 % of a GetCallerIdentity (JFR). A token's
     * claims never change; one is served from here only while the key that sealed it is in the keyset.
     */
    private record Opened(int keyId, SessionClaims claims) {
    }

    static final int OPENED_KEPT = 4096;
    private final Cache<String, Opened> opened = Caffeine.newBuilder().maximumSize(OPENED_KEPT).build();

    private Optional<Opened> unseal(String token) {
        try {
            byte[] raw = Base64.getDecoder().decode(token);
            if (raw.length < 5 + NONCE + 16 || (raw[0] != VERSION && raw[0] != VERSION_JSON)) {
                return Optional.empty();
            }
            int keyId = ByteBuffer.wrap(raw, 1, 4).getInt();
            SecretKeySpec key = key(keyId);
            if (key == null) {
                return Optional.empty();
            }
            Cipher cipher = cipher();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, raw, 5, NONCE));
            cipher.updateAAD(raw, 0, 5);
            byte[] plaintext = cipher.doFinal(raw, 5 + NONCE, raw.length - 5 - NONCE);
            ciphers.offer(cipher); // only after success: a cipher that failed is left to the collector
            return Optional.of(new Opened(keyId, raw[0] == VERSION ? SessionClaimsEncoding.decode(plaintext) : claims(plaintext)));
        } catch (IllegalArgumentException | GeneralSecurityException | IOException e) {
            return Optional.empty();
        }
    }

}
