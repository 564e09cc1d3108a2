package io.openirsa.server.issuer;

import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.server.WireRequest;
import io.openirsa.server.sigv4.SigV4;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An EKS bearer token ({@code aws eks get-token}: {@code k8s-aws-v1.} and the base64url of a
 * presigned STS GetCallerIdentity URL), checked as aws-iam-authenticator checks it before the
 * signature: at most 4 KiB, path {@code /}, only SigV4's and the action's query parameters, each
 * once, the action exactly GetCallerIdentity, the {@code x-k8s-aws-id} header signed, X-Amz-Expires
 * within 0-900; and good for 15 minutes after X-Amz-Date, whatever X-Amz-Expires says.
 */
final class EksBearerToken {
    static final String PREFIX = "k8s-aws-v1.";
    static final Duration VALIDITY = Duration.ofMinutes(15);
    static final String CLUSTER_ID_HEADER = "x-k8s-aws-id";
    private static final int MAX_LENGTH = 4096;
    private static final Set<String> PARAMETERS = Set.of("action", "version", "x-amz-algorithm", "x-amz-credential", "x-amz-date",
            "x-amz-expires", "x-amz-security-token", "x-amz-signature", "x-amz-signedheaders");

    private EksBearerToken() {
    }

    /** The presigned request the token carries, as the STS endpoint would receive it, with the cluster's name in its header. */
    static WireRequest presignedRequest(String token, String clusterName, WireRequest carrier) {
        if (token.length() > MAX_LENGTH) {
            throw malformed("token is too large");
        }
        URI url;
        try {
            url = URI.create(new String(Base64.getUrlDecoder().decode(token.substring(PREFIX.length())), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw malformed("not a base64url-encoded URL");
        }
        if (url.getRawAuthority() == null || url.getRawQuery() == null) {
            throw malformed("not a presigned URL");
        }
        if (!(url.getRawPath() == null || url.getRawPath().isEmpty() || url.getRawPath().equals("/"))) {
            throw malformed("unexpected path in pre-signed URL");
        }
        Map<String, String> params = new HashMap<>();
        for (String pair : url.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            String name = SigV4.decode(eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
            if (!PARAMETERS.contains(name)) {
                throw malformed("non-whitelisted query parameter \"" + name + "\"");
            }
            if (params.put(name, eq < 0 ? "" : SigV4.decode(pair.substring(eq + 1))) != null) {
                throw malformed("query parameter with multiple values not supported");
            }
        }
        if (!"GetCallerIdentity".equals(params.get("action"))) {
            throw malformed("unexpected action parameter in pre-signed URL");
        }
        boolean signsCluster = false;
        for (String h : params.getOrDefault("x-amz-signedheaders", "").split(";")) {
            signsCluster |= h.equalsIgnoreCase(CLUSTER_ID_HEADER);
        }
        if (!signsCluster) {
            throw malformed("client did not sign the " + CLUSTER_ID_HEADER + " header in the pre-signed URL");
        }
        int expires;
        try {
            expires = Integer.parseInt(params.getOrDefault("x-amz-expires", ""));
        } catch (NumberFormatException e) {
            expires = -1;
        }
        if (expires < 0 || expires > VALIDITY.toSeconds()) {
            throw malformed("invalid X-Amz-Expires parameter in pre-signed URL");
        }
        return new WireRequest("GET", "/", url.getRawQuery(), Map.of("host", List.of(url.getRawAuthority()),
                CLUSTER_ID_HEADER, List.of(clusterName)), new byte[0], carrier.sourceIp(), carrier.secure());
    }

    private static AwsException malformed(String why) {
        return new AwsException(AwsError.INVALID_CLIENT_TOKEN_ID_UNAUTHORIZED, "input token was not properly formatted: " + why);
    }
}
