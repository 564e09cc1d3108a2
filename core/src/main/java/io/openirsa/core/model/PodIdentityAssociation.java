package io.openirsa.core.model;

import java.time.Instant;
import java.util.Map;

/**
 * An EKS Pod Identity association: the role a cluster's service account gets through
 * AssumeRoleForPodIdentity, without an OIDC provider or a trust policy naming the cluster.
 *
 * @param associationId {@code a-} and 17 lower-case letters and digits
 * @param targetRoleArn a role (in any account) assumed with the first role's session, or null
 * @param externalId made when a target role is set; the target role's trust policy can require it
 * @param policy a session policy for the credentials, or null
 * @param clientRequestToken the idempotency token the association was created with, or null
 */
public record PodIdentityAssociation(String accountId, String region, String clusterName, String associationId, String namespace,
                                     String serviceAccount, String roleArn, String targetRoleArn, String externalId, String policy,
                                     boolean disableSessionTags, Map<String, String> tags, String clientRequestToken,
                                     Instant createdAt, Instant modifiedAt) {
    public PodIdentityAssociation {
        tags = Map.copyOf(tags);
    }

    public String arn() {
        return arn(region, accountId, clusterName, associationId);
    }

    /** An association's ARN, also for one that may not exist: what a permission on it is checked against. */
    public static String arn(String region, String accountId, String clusterName, String associationId) {
        return "arn:aws:eks:" + region + ":" + accountId + ":podidentityassociation/" + clusterName + "/" + associationId;
    }
}
