package io.openirsa.core.model;

import java.time.Instant;
import java.util.Map;

/**
 * An EKS-style cluster: a named OIDC issuer. Either OpenIRSA's own (it holds the signing keys and
 * serves the issuer) or a registered Kubernetes cluster, whose kube-apiserver signs the tokens and
 * serves discovery; then {@code discovery} says how to reach that issuer.
 *
 * @param id 32 upper-case hex characters: for an own cluster the last path segment of the issuer URL
 * @param issuer the issuer URL, fixed at creation as EKS fixes it
 * @param discovery how to fetch a registered cluster's keys; null for an own cluster
 */
public record Cluster(String accountId, String name, String id, String region, String issuer, String version,
                      String roleArn, Instant createdAt, Map<String, String> tags, Discovery discovery) {
    public Cluster {
        tags = Map.copyOf(tags);
    }

    /** An own cluster. */
    public Cluster(String accountId, String name, String id, String region, String issuer, String version,
                   String roleArn, Instant createdAt, Map<String, String> tags) {
        this(accountId, name, id, region, issuer, version, roleArn, createdAt, tags, null);
    }

    /**
     * How to reach a registered cluster's discovery endpoints.
     *
     * @param caBundle PEM certificates its TLS certificate chains to (a cluster's private CA), or null for the system's trust
     * @param bearerToken sent as {@code Authorization: Bearer} where discovery is not anonymous, or null; sealed at rest
     */
    public record Discovery(String caBundle, String bearerToken) {
        @Override
        public String toString() {
            return "Discovery[caBundle=" + (caBundle == null ? "none" : "PEM") + ", bearerToken=" + (bearerToken == null ? "none" : "(hidden)") + "]";
        }
    }

    /** A Kubernetes cluster registered by its issuer URL: its own API server signs the tokens. */
    public boolean registered() {
        return discovery != null;
    }

    public String arn() {
        return arn(region, accountId, name);
    }

    /** A cluster's ARN, also for one that may not exist: what a permission on it is checked against. */
    public static String arn(String region, String accountId, String name) {
        return "arn:aws:eks:" + region + ":" + accountId + ":cluster/" + name;
    }
}
