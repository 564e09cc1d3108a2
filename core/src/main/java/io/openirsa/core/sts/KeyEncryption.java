package io.openirsa.core.sts;

import io.openirsa.core.Identifiers;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Encrypts key material at rest (issuer signing keys, session-token keys) with a key-encryption key
 * kept outside the store ({@code --key-encryption-key-file}). Sealed material reads
 * {@code kek1:<base64(nonce|ciphertext)>}; material without the prefix is plain (a store written
 * before a key-encryption key was configured), so adding one later needs no migration step.
 */
public final class KeyEncryption {
    private static final String PREFIX = "kek1:";
    private static final byte[] CONTEXT = "openirsa key material".getBytes(StandardCharsets.US_ASCII);
    public static final KeyEncryption NONE = new KeyEncryption(null);

    private final SecretKeySpec kek;

    private KeyEncryption(SecretKeySpec kek) {
        this.kek = kek;
    }

    /** @param key 32 bytes (AES-256) */
    public static KeyEncryption of(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("the key-encryption key must be 32 bytes (base64 of 32 random bytes, or the raw bytes)");
        }
        return new KeyEncryption(new SecretKeySpec(key, "AES"));
    }

    public boolean enabled() {
        return kek != null;
    }

    public String seal(String material) {
        if (kek == null) {
            return material;
        }
        try {
            byte[] nonce = Identifiers.bytes(12);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(128, nonce));
            c.updateAAD(CONTEXT);
            byte[] sealed = c.doFinal(material.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing key material failed", e);
        }
    }

    /** @throws IllegalStateException when sealed material meets no key or another key */
    public String open(String stored) {
        if (!stored.startsWith(PREFIX)) {
            return stored;
        }
        if (kek == null) {
            throw new IllegalStateException("the store's keys are encrypted: start with --key-encryption-key-file (or IRSA_KEY_ENCRYPTION_KEY_FILE)");
        }
        try {
            byte[] raw = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(128, raw, 0, 12));
            c.updateAAD(CONTEXT);
            return new String(c.doFinal(raw, 12, raw.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the key-encryption key does not open the store's keys: is it the one they were written with?", e);
        }
    }
}
