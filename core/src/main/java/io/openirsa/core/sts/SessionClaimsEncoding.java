package io.openirsa.core.sts;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The claims as a session token's plaintext (version 2): the fields in the record's order, each
 * string a tag (null, UTF-8 or UTF-16), a length and its bytes; an instant as seconds and
 * nanoseconds; a list or map as a count and its strings. Writing them as JSON was 4 % of an
 * exchange (async-profiler), and they are sealed, so no one else reads them. Every string comes
 * back exactly as it went in: one holding a surrogate is written as UTF-16 char by char, since a
 * lone surrogate (a token's subject is any JSON string) would become '?' through a charset.
 */
final class SessionClaimsEncoding {
    private static final byte NULL = 0;
    private static final byte UTF_8 = 1;
    private static final byte UTF_16 = 2;

    private SessionClaimsEncoding() {
    }

    static byte[] encode(SessionClaims c) {
        List<byte[]> pieces = new ArrayList<>(32);
        for (String s : new String[]{c.accessKeyId(), c.secretAccessKey(), c.accountId(), c.roleName(), c.rolePath(), c.roleId(), c.sessionName()}) {
            pieces.add(string(s));
        }
        pieces.add(instant(c.issuedAt()));
        pieces.add(instant(c.expiration()));
        for (String s : new String[]{c.provider(), c.subject(), c.audience(), c.sessionPolicy()}) {
            pieces.add(string(s));
        }
        pieces.add(count(c.sessionPolicyArns().size()));
        c.sessionPolicyArns().forEach(s -> pieces.add(string(s)));
        pieces.add(count(c.tags().size()));
        c.tags().forEach((k, v) -> {
            pieces.add(string(k));
            pieces.add(string(v));
        });
        pieces.add(count(c.transitiveTagKeys().size()));
        c.transitiveTagKeys().forEach(s -> pieces.add(string(s)));
        pieces.add(string(c.sourceIdentity()));
        int size = 0;
        for (byte[] b : pieces) {
            size += b.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        pieces.forEach(out::put);
        return out.array();
    }

    /** The claims, or IOException for bytes {@link #encode} did not write. */
    static SessionClaims decode(byte[] bytes) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            String accessKeyId = string(in);
            String secretAccessKey = string(in);
            String accountId = string(in);
            String roleName = string(in);
            String rolePath = string(in);
            String roleId = string(in);
            String sessionName = string(in);
            Instant issuedAt = instant(in);
            Instant expiration = instant(in);
            String provider = string(in);
            String subject = string(in);
            String audience = string(in);
            String sessionPolicy = string(in);
            List<String> arns = strings(in);
            int tagCount = count(in);
            Map<String, String> tags = new HashMap<>();
            for (int i = 0; i < tagCount; i++) {
                tags.put(string(in), string(in));
            }
            List<String> transitive = strings(in);
            String sourceIdentity = string(in);
            if (in.hasRemaining()) {
                throw new IOException("bytes after the claims");
            }
            return new SessionClaims(accessKeyId, secretAccessKey, accountId, roleName, rolePath, roleId, sessionName, issuedAt, expiration,
                    provider, subject, audience, sessionPolicy, arns, tags, transitive, sourceIdentity);
        } catch (BufferUnderflowException | DateTimeException | NullPointerException e) { // a null in a list or map: not ours either
            throw new IOException("not session claims", e);
        }
    }

    private static byte[] string(String s) {
        if (s == null) {
            return new byte[]{NULL};
        }
        if (wellFormed(s)) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(5 + b.length).put(UTF_8).putInt(b.length).put(b).array();
        }
        ByteBuffer b = ByteBuffer.allocate(5 + 2 * s.length()).put(UTF_16).putInt(2 * s.length());
        for (int i = 0; i < s.length(); i++) {
            b.putChar(s.charAt(i)); // char by char: a charset would replace a lone surrogate
        }
        return b.array();
    }

    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return false; // paired ones would survive UTF-8 too; UTF-16 is exact for both
            }
        }
        return true;
    }

    private static byte[] instant(Instant t) {
        return t == null ? new byte[]{NULL} : ByteBuffer.allocate(13).put((byte) 1).putLong(t.getEpochSecond()).putInt(t.getNano()).array();
    }

    private static byte[] count(int n) {
        return ByteBuffer.allocate(4).putInt(n).array();
    }

    private static String string(ByteBuffer in) throws IOException {
        byte tag = in.get();
        if (tag == NULL) {
            return null;
        }
        int length = count(in);
        String s = switch (tag) {
            case UTF_8 -> new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
            case UTF_16 -> utf16(in, length);
            default -> throw new IOException("bad string tag " + tag);
        };
        in.position(in.position() + length);
        return s;
    }

    private static String utf16(ByteBuffer in, int length) throws IOException {
        if (length % 2 != 0) {
            throw new IOException("odd UTF-16 length " + length);
        }
        char[] chars = new char[length / 2];
        in.slice(in.position(), length).asCharBuffer().get(chars);
        return new String(chars);
    }

    private static Instant instant(ByteBuffer in) throws IOException {
        byte tag = in.get();
        if (tag == NULL) {
            return null;
        }
        if (tag != 1) {
            throw new IOException("bad instant tag " + tag);
        }
        return Instant.ofEpochSecond(in.getLong(), in.getInt());
    }

    private static List<String> strings(ByteBuffer in) throws IOException {
        int n = count(in);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(string(in));
        }
        return out;
    }

    /** A length or count: never more than the bytes left, so a damaged one allocates nothing large. */
    private static int count(ByteBuffer in) throws IOException {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IOException("bad length " + n);
        }
        return n;
    }
}
