package io.openirsa.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * SHA-256 with its digests reused, one caller at a time each: {@code MessageDigest.getInstance}
 * looks up the provider every time, and the request path hashes two or three times per call
 * (SigV4's payload and canonical request, the web-identity token's memory key).
 */
public final class Sha256 {
    private static final ConcurrentLinkedQueue<MessageDigest> DIGESTS = new ConcurrentLinkedQueue<>();

    private Sha256() {
    }

    public static byte[] digest(byte[] data) {
        MessageDigest digest = DIGESTS.poll();
        if (digest == null) {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
        byte[] out = digest.digest(data); // digest() resets it for its next use
        DIGESTS.offer(digest);
        return out;
    }
}
