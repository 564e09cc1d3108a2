package io.openirsa.server.sigv4;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.openirsa.core.Sha256;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The arithmetic of AWS Signature Version 4, shared by the verifier and by clients of our own (the
 * CLI): canonical request, string to sign, signing key, signature.
 */
public final class SigV4 {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    public static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    public static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /**
     * An X-Amz-Date ({@code 20150830T123600Z}) read without a DateTimeFormatter, which was a tenth of
     * SigV4's time per request (async-profiler); the same dates parse, and impossible ones are refused.
     */
    public static Instant amzDate(String s) {
        if (s.length() != 16 || s.charAt(8) != 'T' || s.charAt(15) != 'Z') {
            throw new DateTimeParseException("not yyyyMMdd'T'HHmmss'Z'", s, 0);
        }
        try {
            return LocalDateTime.of(digits(s, 0, 4), digits(s, 4, 6), digits(s, 6, 8), digits(s, 9, 11), digits(s, 11, 13), digits(s, 13, 15))
                    .toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw new DateTimeParseException(e.getMessage(), s, 0);
        }
    }

    private static int digits(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new DateTimeParseException("not a digit", s, i);
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private SigV4() {
    }

    /**
     * The canonical request.
     *
     * @param canonicalUri the already canonical path (see {@link #canonicalUri})
     * @param signedHeaders lower-case names, in the order the client listed them
     * @param headers lower-case name to values, in the order they were sent
     */
    public static String canonicalRequest(String method, String canonicalUri, String rawQuery, List<String> signedHeaders,
                                          Map<String, List<String>> headers, String payloadHash, boolean dropSignatureParam) {
        StringBuilder b = new StringBuilder(2048); // a session token alone is over 1,000 characters
        b.append(method).append('\n').append(canonicalUri).append('\n')
                .append(canonicalQuery(rawQuery, dropSignatureParam)).append('\n');
        for (String name : signedHeaders) {
            List<String> values = headers.getOrDefault(name, List.of());
            b.append(name).append(':');
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(canonicalHeaderValue(values.get(i)));
            }
            b.append('\n');
        }
        b.append('\n').append(String.join(";", signedHeaders)).append('\n').append(payloadHash);
        return b.toString();
    }

    public static String stringToSign(String amzDate, String scope, String canonicalRequest) {
        return ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    }

    /** hex(HMAC(kSigning, stringToSign)), kSigning derived from the secret and the scope's date, region and service. */
    public static String signature(String secret, String date, String region, String service, String stringToSign) {
        Scope scope = new Scope(secret, date, region, service);
        byte[] k = SIGNING_KEYS.getIfPresent(scope);
        if (k == null) {
            k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
            k = hmac(k, region);
            k = hmac(k, service);
            k = hmac(k, "aws4_request");
            if (region.length() + service.length() <= 64) { // a scope any AWS region and service fits; a hostile one is not kept
                SIGNING_KEYS.put(scope, k);
            }
        }
        return hex(hmac(k, stringToSign));
    }

    /**
     * Derived signing keys, as AWS's own SDKs keep them: a key serves a secret for a day, a region and
     * a service, and deriving it is four of the five HMACs of a check. In memory only.
     */
    private record Scope(String secret, String date, String region, String service) {
    }

    private static final Cache<Scope, byte[]> SIGNING_KEYS = Caffeine.newBuilder().maximumSize(10_000).build();
    /** Macs to reuse, one call at a time each: {@code Mac.getInstance} costs as much as the HMAC itself. */
    private static final ConcurrentLinkedQueue<Mac> MACS = new ConcurrentLinkedQueue<>();

    /**
     * The canonical URI of a path: dot segments removed, empty segments collapsed, each segment
     * percent-encoded once (RFC 3986 unreserved characters kept).
     *
     * @param decodeFirst decode the raw path before encoding (single encoding, as the test suite and
     *                    most clients sign); false encodes the raw path again (the SDKs' double encoding)
     */
    public static String canonicalUri(String rawPath, boolean decodeFirst) {
        String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        Deque<String> out = new ArrayDeque<>();
        for (String seg : path.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                out.pollLast();
                continue;
            }
            out.addLast(encode(decodeFirst ? decode(seg) : seg));
        }
        boolean trailingSlash = path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..");
        String joined = "/" + String.join("/", out);
        return trailingSlash && !out.isEmpty() ? joined + "/" : joined;
    }

    /** Parameters decoded, re-encoded, sorted by name then value. */
    public static String canonicalQuery(String rawQuery, boolean dropSignatureParam) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String k = encode(decode(eq < 0 ? part : part.substring(0, eq)));
            String v = eq < 0 ? "" : encode(decode(part.substring(eq + 1)));
            if (dropSignatureParam && k.equals("X-Amz-Signature")) {
                continue;
            }
            pairs.add(new String[]{k, v});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder b = new StringBuilder();
        for (String[] p : pairs) {
            if (!b.isEmpty()) {
                b.append('&');
            }
            b.append(p[0]).append('=').append(p[1]);
        }
        return b.toString();
    }

    /** Trimmed, with every run of white space folded to one space. */
    static String canonicalHeaderValue(String value) {
        String v = value.strip();
        if (!needsFolding(v)) {
            return v;
        }
        StringBuilder b = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (isSpace(c)) {
                b.append(' ');
                while (i + 1 < v.length() && isSpace(v.charAt(i + 1))) {
                    i++;
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Whether the value holds white space other than single spaces. Most values (a session token, a
     * date) do not, and six vectorised scans of a 1 KB token cost less than one loop over its
     * characters (that loop was 2.7 % of a GetCallerIdentity's CPU, async-profiler).
     */
    private static boolean needsFolding(String v) {
        return v.indexOf("  ") >= 0 || v.indexOf('\t') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\u000B') >= 0
                || v.indexOf('\f') >= 0 || v.indexOf('\r') >= 0;
    }

    /** Regex's \\s: the ASCII white space AWS folds. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /** RFC 3986 percent-encoding of everything but unreserved characters. */
    public static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }

    /** Percent-decoding that leaves malformed escapes as they are ('+' stays '+'). */
    public static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) == '%' && i + 2 < s.length()
                    && Character.digit(s.charAt(i + 1), 16) >= 0 && Character.digit(s.charAt(i + 2), 16) >= 0) {
                out.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 3;
            } else {
                int j = s.indexOf('%', i + 1);
                j = j < 0 ? s.length() : j;
                out.writeBytes(s.substring(i, j).getBytes(StandardCharsets.UTF_8));
                i = j;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public static byte[] sha256(byte[] data) {
        return Sha256.digest(data);
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = MACS.poll();
            if (mac == null) {
                mac = Mac.getInstance("HmacSHA256");
            }
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] out = mac.doFinal(data.getBytes(StandardCharsets.UTF_8)); // doFinal resets the Mac for its next use
            MACS.offer(mac);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Signs a request the way the SDKs do (header form) and returns the headers to add.
     *
     * @param headers the headers that will be sent and signed (must include host)
     */
    public static Map<String, String> sign(String method, String rawPath, String rawQuery, Map<String, String> headers,
                                           byte[] body, String accessKeyId, String secret, String sessionToken,
                                           String region, String service, Instant now) {
        String amzDate = AMZ_DATE.format(now);
        String date = amzDate.substring(0, 8);
        TreeMap<String, List<String>> signed = new TreeMap<>();
        headers.forEach((k, v) -> signed.put(k.toLowerCase(Locale.ROOT), List.of(v)));
        signed.put("x-amz-date", List.of(amzDate));
        if (sessionToken != null) {
            signed.put("x-amz-security-token", List.of(sessionToken));
        }
        List<String> names = new ArrayList<>(signed.keySet());
        String creq = canonicalRequest(method, canonicalUri(rawPath, false), rawQuery, names, signed, hex(sha256(body)), false);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String sig = signature(secret, date, region, service, stringToSign(amzDate, scope, creq));
        Map<String, String> out = new LinkedHashMap<>();
        out.put("X-Amz-Date", amzDate);
        if (sessionToken != null) {
            out.put("X-Amz-Security-Token", sessionToken);
        }
        out.put("Authorization", ALGORITHM + " Credential=" + accessKeyId + "/" + scope + ", SignedHeaders="
                + String.join(";", names) + ", Signature=" + sig);
        return out;
    }
}
