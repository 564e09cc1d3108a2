package io.openirsa.policy;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Predicate;

/**
 * The base condition operators. A negated operator is its positive twin with the result inverted
 * (over several policy values that makes it a NOR, as IAM specifies).
 */
public enum ConditionOperator {
    StringEquals(Kind.STRING, false),
    StringNotEquals(Kind.STRING, true),
    StringEqualsIgnoreCase(Kind.STRING_IGNORE_CASE, false),
    StringNotEqualsIgnoreCase(Kind.STRING_IGNORE_CASE, true),
    StringLike(Kind.STRING_LIKE, false),
    StringNotLike(Kind.STRING_LIKE, true),
    NumericEquals(Kind.NUMERIC, false),
    NumericNotEquals(Kind.NUMERIC, true),
    NumericLessThan(Kind.NUMERIC, false),
    NumericLessThanEquals(Kind.NUMERIC, false),
    NumericGreaterThan(Kind.NUMERIC, false),
    NumericGreaterThanEquals(Kind.NUMERIC, false),
    DateEquals(Kind.DATE, false),
    DateNotEquals(Kind.DATE, true),
    DateLessThan(Kind.DATE, false),
    DateLessThanEquals(Kind.DATE, false),
    DateGreaterThan(Kind.DATE, false),
    DateGreaterThanEquals(Kind.DATE, false),
    Bool(Kind.BOOL, false),
    BinaryEquals(Kind.BINARY, false),
    IpAddress(Kind.IP, false),
    NotIpAddress(Kind.IP, true),
    ArnEquals(Kind.ARN, false),
    ArnLike(Kind.ARN, false),
    ArnNotEquals(Kind.ARN, true),
    ArnNotLike(Kind.ARN, true),
    Null(Kind.NULL, false);

    enum Kind { STRING, STRING_IGNORE_CASE, STRING_LIKE, NUMERIC, DATE, BOOL, BINARY, IP, ARN, NULL }

    private final Kind kind;
    private final boolean negated;

    ConditionOperator(Kind kind, boolean negated) {
        this.kind = kind;
        this.negated = negated;
    }

    Kind kind() {
        return kind;
    }

    public boolean negated() {
        return negated;
    }

    /** Policy variables may stand in values of String, ARN and Bool operators only. */
    boolean acceptsVariables() {
        return switch (kind) {
            case STRING, STRING_IGNORE_CASE, STRING_LIKE, ARN, BOOL -> true;
            default -> false;
        };
    }

    /**
     * The positive test of a request value against one policy value, prepared once: patterns are
     * compiled here, not per request.
     */
    Predicate<String> matcher(String policy) {
        return switch (kind) {
            case STRING -> policy::equals;
            case STRING_IGNORE_CASE -> policy::equalsIgnoreCase;
            case STRING_LIKE -> Wildcard.compile(policy)::matches;
            case NUMERIC -> {
                BigDecimal p = number(policy);
                yield r -> { BigDecimal n = number(r); return p != null && n != null && compare(n.compareTo(p)); };
            }
            case DATE -> {
                Instant p = date(policy);
                yield r -> { Instant d = date(r); return p != null && d != null && compare(d.compareTo(p)); };
            }
            case BOOL -> policy::equalsIgnoreCase;
            case BINARY -> r -> binaryEquals(r, policy);
            case IP -> r -> Cidr.contains(policy, r);
            case ARN -> arnMatcher(policy);
            case NULL -> throw new IllegalStateException("Null is evaluated on presence");
        };
    }

    private boolean compare(int c) {
        return switch (this) {
            case NumericEquals, NumericNotEquals, DateEquals, DateNotEquals -> c == 0;
            case NumericLessThan, DateLessThan -> c < 0;
            case NumericLessThanEquals, DateLessThanEquals -> c <= 0;
            case NumericGreaterThan, DateGreaterThan -> c > 0;
            case NumericGreaterThanEquals, DateGreaterThanEquals -> c >= 0;
            default -> throw new IllegalStateException(name());
        };
    }

    static BigDecimal number(String s) {
        try {
            return new BigDecimal(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** W3C ISO 8601 (date, or date-time with a zone) or epoch seconds. */
    static Instant date(String s) {
        String v = s.trim();
        if (!v.isEmpty() && v.chars().allMatch(Character::isDigit)) {
            try {
                return Instant.ofEpochSecond(Long.parseLong(v));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static boolean binaryEquals(String request, String policy) {
        try {
            return Arrays.equals(Base64.getDecoder().decode(request), Base64.getDecoder().decode(policy));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** ARNs match part by part, so a wildcard never crosses a colon in the first five parts. */
    private static Predicate<String> arnMatcher(String policy) {
        String[] p = policy.split(":", 6);
        if (p.length != 6) {
            Wildcard whole = Wildcard.compile(policy);
            return whole::matches;
        }
        Wildcard[] parts = new Wildcard[6];
        for (int i = 0; i < 6; i++) {
            parts[i] = Wildcard.compile(p[i]);
        }
        return request -> {
            String[] r = request.split(":", 6);
            if (r.length != 6) {
                return false;
            }
            for (int i = 0; i < 6; i++) {
                if (!parts[i].matches(r[i])) {
                    return false;
                }
            }
            return true;
        };
    }

    /** CIDR containment for IPv4 and IPv6; a bare address means a single host. */
    static final class Cidr {
        private Cidr() {
        }

        static boolean contains(String cidr, String address) {
            try {
                String[] parts = cidr.trim().split("/", 2);
                if (!looksLikeIp(parts[0]) || !looksLikeIp(address.trim())) {
                    return false;
                }
                byte[] net = InetAddress.getByName(parts[0]).getAddress();
                byte[] ip = InetAddress.getByName(address.trim()).getAddress();
                if (net.length != ip.length) {
                    return false;
                }
                int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : net.length * 8;
                if (bits < 0 || bits > net.length * 8) {
                    return false;
                }
                for (int i = 0; i < net.length && bits > 0; i++, bits -= 8) {
                    int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
                    if ((net[i] & mask) != (ip[i] & mask)) {
                        return false;
                    }
                }
                return true;
            } catch (Exception e) {
                return false;
            }
        }

        /** Only literal addresses: never let InetAddress resolve a host name. */
        private static boolean looksLikeIp(String s) {
            return !s.isEmpty() && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
        }
    }
}
