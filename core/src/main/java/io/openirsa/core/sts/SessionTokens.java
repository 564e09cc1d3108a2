package io.openirsa.core.sts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.openirsa.core.Identifiers;
import io.openirsa.core.keys.KeyRotation;
import io.openirsa.core.keys.Keyset;
import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.StoredKey;
import io.openirsa.core.store.Store;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Seals {@link SessionClaims} into an opaque session token with AES-256-GCM and opens it again.
 *
 * <p>Token layout (then base64): version (1 byte) | key id (4 bytes) | nonce (12) | ciphertext+tag,
 * the plaintext being the claims as JSON. The version and key id are bound as associated data, so
 * neither can be swapped. Sealing uses the primary key; opening accepts any key of the keyset, so
 * rotation does not cut live sessions.
 */
public final class SessionTokens {
    static final String OWNER = "session-tokens";
    private static final byte VERSION = 1;
    private static final int NONCE = 12;
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    /** How long a loaded keyset is used before it is read again: another replica may have rotated it. */
    private static final Duration KEYSET_REFRESH = Duration.ofSeconds(1);

    private record Loaded(Keyset<SecretKeySpec> keyset, long at) {
    }

    private final Store store;
    private final KeyEncryption encryption;
    private final KeyRotation.Policy rotation;
    /** Ciphers to reuse (each is used by one call at a time): looking one up cost as much as the sealing. */
    private final ConcurrentLinkedQueue<Cipher> ciphers = new ConcurrentLinkedQueue<>();
    private volatile Loaded loaded;
    private final AtomicBoolean refreshing = new AtomicBoolean();

    private SessionTokens(Store store, KeyEncryption encryption, KeyRotation.Policy rotation) {
        this.store = store;
        this.encryption = encryption;
        this.rotation = rotation;
        this.loaded = new Loaded(read(), System.nanoTime());
    }

    /**
     * The rotation of session-token keys: each is primary for {@code period}, added a minute before
     * (every replica reads the keyset each second, so all can open its tokens before any seals with
     * it), and kept for 12 h 5 min after it retires, the longest a session lasts.
     */
    public static KeyRotation.Policy rotationPolicy(Duration period) {
        return new KeyRotation.Policy(period, Duration.ofMinutes(1), Duration.ofHours(12).plusMinutes(5));
    }

    /**
     * Loads the keyset, creating its first key in an empty store. The first key has a fixed id, so
     * replicas starting together on one database agree on it.
     */
    public static SessionTokens load(Store store, KeyEncryption encryption, Instant now, KeyRotation.Policy rotation) {
        if (store.keys(OWNER).isEmpty()) {
            store.insertKey(newKey(encryption, "1", KeyStatus.PRIMARY, now));
        }
        return new SessionTokens(store, encryption, rotation);
    }

    private static StoredKey newKey(KeyEncryption encryption, String id, KeyStatus status, Instant now) {
        return new StoredKey(OWNER, id, status, encryption.seal(Base64.getEncoder().encodeToString(Identifiers.bytes(32))), now, now);
    }

    private Keyset<SecretKeySpec> read() {
        return Keyset.of(store.keys(OWNER), k -> new SecretKeySpec(Base64.getDecoder().decode(encryption.open(k.material())), "AES"));
    }

    /**
     * The keyset, read again once a second by one caller while the others go on with the one they have
     * (a key is shared a minute before it seals anything, so a second's lag opens every token).
     */
    private Keyset<SecretKeySpec> keyset() {
        Loaded l = loaded;
        if (System.nanoTime() - l.at() > KEYSET_REFRESH.toNanos() && refreshing.compareAndSet(false, true)) {
            try {
                l = new Loaded(read(), System.nanoTime());
                loaded = l;
            } finally {
                refreshing.set(false);
            }
        }
        return l.keyset();
    }

    /**
     * Applies what rotation says is due (a key id one above the highest), on one replica at a time;
     * what a server does every minute.
     *
     * @return the steps taken
     */
    public List<KeyRotation.Step> rotate(Instant now) {
        List<KeyRotation.Step> taken = new ArrayList<>();
        store.runExclusively("openirsa-session-key-rotation", () -> {
            List<StoredKey> keys = store.keys(OWNER);
            List<KeyRotation.Step> steps = KeyRotation.plan(keys, now, rotation, false);
            int next = keys.stream().mapToInt(k -> Integer.parseInt(k.keyId())).max().orElse(0) + 1;
            KeyRotation.apply(store, OWNER, steps, now, () -> newKey(encryption, Integer.toString(next), KeyStatus.PENDING, now));
            taken.addAll(steps);
        });
        loaded = new Loaded(read(), System.nanoTime());
        return taken;
    }

    private Cipher cipher() throws GeneralSecurityException {
        Cipher c = ciphers.poll();
        return c != null ? c : Cipher.getInstance("AES/GCM/NoPadding");
    }

    public String seal(SessionClaims claims) {
        try {
            byte[] plaintext = JSON.writeValueAsBytes(claims);
            byte[] nonce = Identifiers.bytes(NONCE);
            Keyset<SecretKeySpec> ks = keyset();
            ByteBuffer header = ByteBuffer.allocate(5).put(VERSION).putInt(Integer.parseInt(ks.primaryId()));
            Cipher cipher = cipher();
            cipher.init(Cipher.ENCRYPT_MODE, ks.primary(), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(header.array());
            byte[] sealed = cipher.doFinal(plaintext);
            ciphers.offer(cipher);
            ByteBuffer out = ByteBuffer.allocate(5 + NONCE + sealed.length).put(header.array()).put(nonce).put(sealed);
            return Base64.getEncoder().encodeToString(out.array());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("sealing a session token failed", e);
        }
    }

    /** The claims, or empty when the token is not one of ours or was altered. Never throws on input. */
    public Optional<SessionClaims> open(String token) {
        String exact = token.trim();
        Opened known = opened.getIfPresent(exact);
        if (known != null && keyset().key(Integer.toString(known.keyId())) != null) {
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
            // Only the one encoding of those bytes: the decoder ignores the unused bits of a last character,
            // so a token altered there would open as the original (SignedRequestsTest).
            if (raw.length < 5 + NONCE + 16 || raw[0] != VERSION || !Base64.getEncoder().encodeToString(raw).equals(token)) {
                return Optional.empty();
            }
            int keyId = ByteBuffer.wrap(raw, 1, 4).getInt();
            SecretKeySpec key = keyset().key(Integer.toString(keyId));
            if (key == null) {
                return Optional.empty();
            }
            Cipher cipher = cipher();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, raw, 5, NONCE));
            cipher.updateAAD(raw, 0, 5);
            byte[] plaintext = cipher.doFinal(raw, 5 + NONCE, raw.length - 5 - NONCE);
            ciphers.offer(cipher); // only after success: a cipher that failed is left to the collector
            return Optional.of(new Opened(keyId, JSON.readValue(plaintext, SessionClaims.class)));
        } catch (IllegalArgumentException | GeneralSecurityException | IOException e) {
            return Optional.empty();
        }
    }

}
