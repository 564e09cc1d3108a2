package io.openirsa.core;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random identifiers in AWS's shapes. */
public final class Identifiers {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final char[] SECRET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    private Identifiers() {
    }

    /** A 20-character id such as {@code AKIA...}, {@code ASIA...} or {@code AROA...} (with a 21-character role id). */
    public static String keyId(String prefix, int length) {
        StringBuilder b = new StringBuilder(prefix);
        while (b.length() < length) {
            b.append(BASE32[RANDOM.nextInt(BASE32.length)]);
        }
        return b.toString();
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
        char[] c = new char[40];
        for (int i = 0; i < c.length; i++) {
            c[i] = SECRET[RANDOM.nextInt(SECRET.length)];
        }
        return new String(c);
    }

    /** 32 upper-case hex characters, as EKS names its OIDC issuers. */
    public static String clusterId() {
        return HexFormat.of().withUpperCase().formatHex(bytes(16));
    }

    public static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    public static SecureRandom random() {
        return RANDOM;
    }
}
