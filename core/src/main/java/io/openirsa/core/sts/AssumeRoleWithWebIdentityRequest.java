package io.openirsa.core.sts;

import java.util.List;

/**
 * The request's parameters as they came over the wire (any may be null).
 *
 * @param sourceIp the caller's address, for {@code aws:SourceIp}
 * @param secureTransport whether the request came over TLS, for {@code aws:SecureTransport}
 */
public record AssumeRoleWithWebIdentityRequest(String roleArn, String roleSessionName, String webIdentityToken,
                                               Integer durationSeconds, String policy, List<String> policyArns,
                                               String providerId, String sourceIp, boolean secureTransport) {
    @Override
    public String toString() {
        return "AssumeRoleWithWebIdentityRequest[" + roleArn + ", " + roleSessionName + "]"; // never the token
    }
}
