package io.openirsa.core.sts;

import io.openirsa.policy.Decision;

/**
 * What AssumeRoleWithWebIdentity returns, and the trust decision behind it.
 *
 * @param provider the OIDC provider ARN
 */
public record WebIdentitySession(SessionCredentials credentials, String assumedRoleArn, String assumedRoleId,
                                 String subject, String provider, String audience, String sourceIdentity,
                                 Decision decision) {
}
