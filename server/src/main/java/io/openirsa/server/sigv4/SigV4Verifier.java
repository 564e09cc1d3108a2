package io.openirsa.server.sigv4;

import io.openirsa.core.Authenticator;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.server.WireRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Verifies SigV4 on an incoming request, in the Authorization header or presigned in the query.
 * Checks, in order: the signature's form, its time (15 minutes either way, or the presigned
 * expiry), the access key and session token, then the signature itself in constant time.
 */
public final class SigV4Verifier {
    static final Duration SKEW = Duration.ofMinutes(15);
    private static final String MISMATCH = "The request signature we calculated does not match the signature you provided. "
            + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    /** Finds the secret and caller behind an access key (and session token, if any). */
    @FunctionalInterface
    public interface CredentialLookup {
        Authenticator.Credential resolve(String accessKeyId, String sessionToken);
    }

    /** AWS's public regions: a regional scope must name one of them (or the server's own). */
    static final Set<String> AWS_REGIONS = Set.of("us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1",
            "ap-east-2", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
            "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ca-central-1",
            "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
            "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1", "us-gov-east-1", "us-gov-west-1", "cn-north-1",
            "cn-northwest-1");
    /** What the AWS SDKs sign a global service's calls with when the endpoint is overridden; AWS's own endpoints get us-east-1. */
    static final String AWS_GLOBAL = "aws-global";

    private final CredentialLookup credentials;
    private final Clock clock;
    private final String serverRegion;

    /** @param serverRegion the region this server's regional services (EKS, EKS Auth, CloudTrail) answer for */
    public SigV4Verifier(CredentialLookup credentials, Clock clock, String serverRegion) {
        this.credentials = credentials;
        this.clock = clock;
        this.serverRegion = serverRegion;
    }

    /**
     * Who signed, with which access key, and the scope they signed for.
     *
     * @param caller who signed, making this request (source address, transport, the region signed for)
     */
    public record Verified(Authenticator.Credential credential, String accessKeyId, String region, String service, Caller caller) {
    }

    /** Whether the request carries a signature in either form. */
    public static boolean isSigned(WireRequest request) {
        String auth = request.header("authorization");
        return (auth != null && auth.startsWith(SigV4.ALGORITHM)) || request.rawQuery().contains("X-Amz-Signature=");
    }

    public Verified verify(WireRequest request) {
        return verify(request, null);
    }

    /**
     * @param validity for a presigned request, how long after its X-Amz-Date it is good whatever its
     *                 X-Amz-Expires says (an EKS bearer token: 15 minutes), or null for SigV4's own rules
     */
    public Verified verify(WireRequest request, Duration validity) {
        Parts p = parts(request);
        Instant signedAt;
        try {
            signedAt = SigV4.amzDate(p.amzDate);
        } catch (DateTimeParseException e) {
            throw incomplete("Date must be in ISO-8601 'basic format'. Got '" + p.amzDate + "'. See http://en.wikipedia.org/wiki/ISO_8601");
        }
        if (!p.amzDate.startsWith(p.date)) {
            throw new AwsException(AwsError.SIGNATURE_DOES_NOT_MATCH, "Credential should be scoped to a valid date: " + p.date
                    + " does not match the request date " + p.amzDate.substring(0, 8) + ".");
        }
        checkTime(signedAt, validity != null && p.presigned ? Long.valueOf(validity.toSeconds()) : p.expires);
        String requestedRegion = requestedRegion(p.service, p.region);
        Authenticator.Credential credential = credentials.resolve(p.accessKeyId, p.sessionToken);

        String payloadHash = SigV4.hex(SigV4.sha256(request.body()));
        List<String> uris = new ArrayList<>(List.of(SigV4.canonicalUri(request.rawPath(), true)));
        if (request.rawPath().indexOf('%') >= 0) {
            uris.add(SigV4.canonicalUri(request.rawPath(), false)); // SDKs encode an encoded path again
        }
        // A presigned URL may leave its payload unsigned only when there is none: a body it does not
        // sign must not add parameters to those its query string fixes.
        List<String> hashes = p.presigned && request.body().length == 0 ? List.of(payloadHash, "UNSIGNED-PAYLOAD") : List.of(payloadHash);
        byte[] provided = p.signature.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        boolean match = false;
        for (String uri : uris) {
            for (String hash : hashes) {
                String creq = SigV4.canonicalRequest(request.method(), uri, request.rawQuery(), p.signedHeaders,
                        request.headers(), hash, p.presigned);
                String sts = SigV4.stringToSign(p.amzDate, p.scope(), creq);
                String expected = SigV4.signature(credential.secretAccessKey(), p.date, p.region, p.service, sts);
                match |= MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), provided);
            }
        }
        if (!match) {
            throw new AwsException(AwsError.SIGNATURE_DOES_NOT_MATCH, MISMATCH);
        }
        return new Verified(credential, p.accessKeyId, p.region, p.service,
                credential.caller().from(new Caller.Origin(request.sourceIp(), request.secure(), requestedRegion)));
    }

    /**
     * The region a call signed for {@code region} is answered as, or AWS's error for a scope the
     * service's endpoint would refuse: IAM is global and signed for us-east-1; STS answers in every
     * AWS region alike (its credentials are global); EKS, EKS Auth and CloudTrail hold resources of
     * this server's region only. See docs/aws-behaviour.md.
     */
    String requestedRegion(String service, String region) {
        boolean valid = switch (service) {
            case "iam" -> region.equals("us-east-1") || region.equals(AWS_GLOBAL);
            case "sts" -> region.equals(AWS_GLOBAL) || region.equals(serverRegion) || AWS_REGIONS.contains(region);
            default -> region.equals(serverRegion);
        };
        if (!valid) {
            throw new AwsException(AwsError.SIGNATURE_DOES_NOT_MATCH, "Credential should be scoped to a valid region, not '" + region + "'.");
        }
        return region.equals(AWS_GLOBAL) ? "us-east-1" : service.equals("iam") ? "us-east-1" : region;
    }

    private void checkTime(Instant signedAt, Long expires) {
        Instant now = clock.instant();
        if (expires != null) {
            if (now.isAfter(signedAt.plusSeconds(expires)) || signedAt.isAfter(now.plus(SKEW))) {
                throw new AwsException(AwsError.SIGNATURE_DOES_NOT_MATCH, "Signature expired: " + SigV4.AMZ_DATE.format(signedAt)
                        + " is now earlier than " + SigV4.AMZ_DATE.format(now.minusSeconds(expires)) + " (" + SigV4.AMZ_DATE.format(now)
                        + " - " + expires + " sec.)");
            }
            return;
        }
        if (signedAt.isBefore(now.minus(SKEW))) {
            throw new AwsException(AwsError.SIGNATURE_DOES_NOT_MATCH, "Signature expired: " + SigV4.AMZ_DATE.format(signedAt)
                    + " is now earlier than " + SigV4.AMZ_DATE.format(now.minus(SKEW)) + " (" + SigV4.AMZ_DATE.format(now) + " - 15 min.)");
        }
        if (signedAt.isAfter(now.plus(SKEW))) {
            throw new AwsException(AwsError.SIGNATURE_DOES_NOT_MATCH, "Signature not yet current: " + SigV4.AMZ_DATE.format(signedAt)
                    + " is still later than " + SigV4.AMZ_DATE.format(now.plus(SKEW)) + " (" + SigV4.AMZ_DATE.format(now) + " + 15 min.)");
        }
    }

    private record Parts(String accessKeyId, String date, String region, String service, List<String> signedHeaders,
                         String signature, String amzDate, String sessionToken, boolean presigned, Long expires) {
        String scope() {
            return date + "/" + region + "/" + service + "/aws4_request";
        }
    }

    private static Parts parts(WireRequest request) {
        String auth = request.header("authorization");
        if (auth != null) {
            return headerParts(request, auth);
        }
        return queryParts(request);
    }

    private static Parts headerParts(WireRequest request, String auth) {
        if (!auth.startsWith(SigV4.ALGORITHM + " ")) {
            throw incomplete("Unsupported authorization type: only " + SigV4.ALGORITHM + " is accepted");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String part : auth.substring(SigV4.ALGORITHM.length() + 1).split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        for (String required : List.of("Credential", "SignedHeaders", "Signature")) {
            if (!fields.containsKey(required)) {
                throw incomplete("Authorization header requires '" + required + "' parameter. Authorization=" + redact(auth));
            }
        }
        String amzDate = request.header("x-amz-date");
        if (amzDate == null) {
            amzDate = request.header("date");
        }
        if (amzDate == null) {
            throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + redact(auth));
        }
        return build(fields.get("Credential"), fields.get("SignedHeaders"), fields.get("Signature"), amzDate,
                request.header("x-amz-security-token"), false, null, request);
    }

    private static Parts queryParts(WireRequest request) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String part : request.rawQuery().split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                q.putIfAbsent(SigV4.decode(part.substring(0, eq)), SigV4.decode(part.substring(eq + 1)));
            }
        }
        if (!SigV4.ALGORITHM.equals(q.get("X-Amz-Algorithm"))) {
            throw incomplete("X-Amz-Algorithm only supports \"" + SigV4.ALGORITHM + "\"");
        }
        for (String required : List.of("X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date")) {
            if (q.get(required) == null) {
                throw incomplete("AWS query-string parameters must include '" + required + "'. Re-examine the query-string parameters.");
            }
        }
        Long expires = null;
        if (q.containsKey("X-Amz-Expires")) {
            try {
                expires = Long.parseLong(q.get("X-Amz-Expires"));
            } catch (NumberFormatException e) {
                expires = -1L;
            }
            if (expires < 1 || expires > 604800) {
                throw incomplete("X-Amz-Expires must be between 1 and 604800 seconds");
            }
        }
        return build(q.get("X-Amz-Credential"), q.get("X-Amz-SignedHeaders"), q.get("X-Amz-Signature"), q.get("X-Amz-Date"),
                q.get("X-Amz-Security-Token"), true, expires == null ? SKEW.toSeconds() : expires, request);
    }

    private static Parts build(String credential, String signedHeaders, String signature, String amzDate, String token,
                               boolean presigned, Long expires, WireRequest request) {
        String[] scope = scope(credential);
        if (scope == null) {
            throw incomplete("Credential should be scoped to a valid region, service and date, in the form ACCESS_KEY/YYYYMMDD/REGION/SERVICE/aws4_request.");
        }
        String[] signed = signedHeaders.split(";");
        List<String> names = new ArrayList<>(signed.length);
        for (String name : signed) {
            names.add(name.trim().toLowerCase(Locale.ROOT));
        }
        if (!names.contains("host")) {
            throw incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.");
        }
        for (String n : names) {
            if (!request.headers().containsKey(n)) {
                throw new AwsException(AwsError.SIGNATURE_DOES_NOT_MATCH, "The request signs header '" + n + "' but does not carry it.");
            }
        }
        if (!isHex64(signature)) {
            throw new AwsException(AwsError.SIGNATURE_DOES_NOT_MATCH, MISMATCH);
        }
        return new Parts(scope[0], scope[1], scope[2], scope[3], names, signature, amzDate, token, presigned, expires);
    }

    /**
     * ACCESS_KEY/YYYYMMDD/REGION/SERVICE/aws4_request as its first four parts, or null: each part
     * non-empty and without a slash, the date eight digits. By hand, not a regex: the regex and the
     * stream beside it were a third of taking a signature's parts apart (async-profiler).
     */
    static String[] scope(String credential) {
        String[] parts = new String[5];
        int start = 0;
        for (int i = 0; i < 5; i++) {
            int slash = credential.indexOf('/', start);
            int end = i < 4 ? slash : credential.length();
            if (end <= start || (i == 4 && slash >= 0)) {
                return null;
            }
            parts[i] = credential.substring(start, end);
            start = end + 1;
        }
        if (!parts[4].equals("aws4_request") || parts[1].length() != 8) {
            return null;
        }
        for (int i = 0; i < 8; i++) {
            if (parts[1].charAt(i) < '0' || parts[1].charAt(i) > '9') {
                return null;
            }
        }
        return Arrays.copyOf(parts, 4);
    }

    /** 64 hex digits; String.matches would compile its pattern on every request. */
    private static boolean isHex64(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    /** The Authorization header without its signature, as AWS echoes it. */
    private static String redact(String auth) {
        return auth.replaceAll("Signature=[0-9a-fA-F]*", "Signature=***");
    }

    private static AwsException incomplete(String message) {
        return new AwsException(AwsError.INCOMPLETE_SIGNATURE, message);
    }
}
