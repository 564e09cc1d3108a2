package io.openirsa.core.model;

import java.time.Instant;
import java.util.Map;

/**
 * An EKS-style cluster: here, chiefly a named OIDC issuer with its own signing keys.
 *
 * @param id 32 upper-case hex characters, the last path segment of the issuer URL
 * @param issuer the issuer URL, fixed at creation as EKS fixes it
 */
public record Cluster(String accountId, String name, String id, String region, String issuer, String version,
                      String roleArn, Instant createdAt, Map<String, String> tags) {
    public Cluster {
        tags = Map.copyOf(tags);
    }

    public String arn() {
        return arn(region, accountId, name);
    }

    /** A cluster's ARN, also for one that may not exist: what a permission on it is checked against. */
    public static String arn(String region, String accountId, String name) {
        return "arn:aws:eks:" + region + ":" + accountId + ":cluster/" + name;
    }
}
