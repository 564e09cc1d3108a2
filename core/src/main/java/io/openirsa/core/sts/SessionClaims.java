package io.openirsa.core.sts;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to verify a role session, sealed into its session token so that any replica
 * with the sealing keys can check a request without a lookup.
 *
 * @param provider the OIDC provider ARN the session came through
 * @param sessionPolicy the inline session policy, or null
 * @param sessionPolicyArns the managed session policies
 * @param sourceIdentity the source identity set for the session, or null
 */
public record SessionClaims(String accessKeyId, String secretAccessKey, String accountId, String roleName,
                            String rolePath, String roleId, String sessionName, Instant issuedAt, Instant expiration,
                            String provider, String subject, String audience, String sessionPolicy, List<String> sessionPolicyArns,
                            Map<String, String> tags, List<String> transitiveTagKeys, String sourceIdentity) {

    public SessionClaims {
        sessionPolicyArns = sessionPolicyArns == null ? List.of() : List.copyOf(sessionPolicyArns);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        transitiveTagKeys = transitiveTagKeys == null ? List.of() : List.copyOf(transitiveTagKeys);
    }

    /** Whether session policies narrow what the role allows. */
    public boolean hasSessionPolicy() {
        return sessionPolicy != null || !sessionPolicyArns.isEmpty();
    }

    public String roleArn() {
        return "arn:aws:iam::" + accountId + ":role" + rolePath + roleName;
    }

    /** The role path is dropped in assumed-role ARNs, as AWS drops it. */
    public String assumedRoleArn() {
        return "arn:aws:sts::" + accountId + ":assumed-role/" + roleName + "/" + sessionName;
    }

    @Override
    public String toString() {
        return "SessionClaims[" + accessKeyId + ", " + assumedRoleArn() + ", expires " + expiration + "]";
    }
}
