package io.openirsa.core;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Random identifiers in AWS's shapes. */
public final class Identifiers {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final char[] SECRET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    private Identifiers() {
    }

    /** A 20-character id such as {@code AKIA...}, {@code ASIA...} or {@code AROA...} (with a 21-character role id). */
    public static String keyId(String prefix, int length) {
        return prefix + characters(BASE32, length - prefix.length());
    }

    public static String accessKeyId() {
        return keyId("AKIA", 20);
    }

    public static String sessionAccessKeyId() {
        return keyId("ASIA", 20);
    }

    public static String roleId() {
        return keyId("AROA", 21);
    }

    /** A 40-character secret access key. */
    public static String secretAccessKey() {
        return characters(SECRET, 40);
    }

    /**
     * {@code n} characters drawn uniformly from an alphabet of 32 or 64: one draw of random bytes, each
     * masked to the alphabet's size, which is unbiased for a power of two. A draw per character (nextInt)
     * locked and read the system's generator 40 times for one secret key: with the key ids, 12 % of an exchange's CPU.
     */
    private static String characters(char[] alphabet, int n) {
        int mask = alphabet.length - 1;
        if ((alphabet.length & mask) != 0) {
            throw new IllegalArgumentException("the alphabet's size must be a power of two");
        }
        byte[] random = bytes(n);
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = alphabet[random[i] & mask];
        }
        return new String(c);
    }

    /** {@code a-} and 17 lower-case letters and digits, as EKS names Pod Identity associations. */
    public static String podIdentityAssociationId() {
        char[] c = new char[17];
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < c.length; i++) {
            c[i] = alphabet.charAt(RANDOM.nextInt(alphabet.length()));
        }
        return "a-" + new String(c);
    }

    /** 32 upper-case hex characters, as EKS names its OIDC issuers. */
    public static String clusterId() {
        return HexFormat.of().withUpperCase().formatHex(bytes(16));
    }

    /**
     * A UUID whose first 48 bits are the time in milliseconds (version 7, RFC 9562), for request
     * and event IDs. Still a UUID to every client, but the time in it says where in the audit trail
     * its record lies, so {@code irsa explain REQUEST_ID} reads a few minutes of the trail, not all of it
     * ({@code AuditBatch.byRequestId}). Not secrets, so the random bits need not be cryptographic.
     */
    public static String timeOrderedUuid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (System.currentTimeMillis() << 16) | 0x7000L | (r.nextLong() & 0x0FFFL);
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /**
     * {@code n} bytes from the JDK's cryptographic generator (on Linux, the kernel's): for secrets, keys
     * and nonces. About 0.7 µs for a 40-byte secret, three draws an exchange (docs/benchmarks.md).
     */
    public static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    public static SecureRandom random() {
        return RANDOM;
    }
}
