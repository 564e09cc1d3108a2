package io.openirsa.core.sts;

import io.openirsa.policy.Decision;

/**
 * What AssumeRole returns, and the trust decision behind it.
 *
 * @param packedPolicySize percentage of the session-policy and tag allowance used, or null when none was passed
 */
public record RoleSession(SessionCredentials credentials, String assumedRoleArn, String assumedRoleId, Integer packedPolicySize,
                          String sourceIdentity, Decision decision) {
}
