package io.openirsa.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * What the domain needs to know about its deployment.
 *
 * @param publicUrl how clients reach this server (issuer URLs are built from it), without trailing slash
 * @param region the region reported in ARNs and credential scopes
 * @param maxTokenSeconds the longest service-account token lifetime an issuer grants
 * @param trustPolicyLimit IAM's role trust policy quota (characters, whitespace excluded)
 * @param jwksStaleIfError how long an issuer's cached keys stay in use while the issuer cannot be reached
 * @param keyRotationPeriod how long a built-in issuer's key signs before the next one takes over
 * @param privateIssuers whether identity providers on loopback, private and link-local addresses may be
 *                       fetched (local development; never the default: a tenant's provider URL must not
 *                       reach this server's network)
 * @param kubernetesUrl the https URL of the clusters' Kubernetes API endpoint (DescribeCluster's
 *                      {@code endpoint} is it and {@code /clusters/NAME}), or null: the public URL's
 */
public record Settings(String publicUrl, String region, long maxTokenSeconds, int trustPolicyLimit,
                       Duration jwksStaleIfError, Duration keyRotationPeriod, Clock clock, boolean privateIssuers, String kubernetesUrl) {
    public static final Duration DEFAULT_KEY_ROTATION = Duration.ofDays(7);
    public static final Duration DEFAULT_STALE_IF_ERROR = Duration.ofHours(6);
    public static final String DEFAULT_ACCOUNT = "123456789012";
    public static final String DEFAULT_REGION = "us-east-1";

    public Settings {
        Objects.requireNonNull(publicUrl, "publicUrl");
        publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        if (maxTokenSeconds < 600) {
            throw new IllegalArgumentException("maxTokenSeconds must be at least 600");
        }
    }

    /** Settings that fetch identity providers on public addresses only. */
    public Settings(String publicUrl, String region, long maxTokenSeconds, int trustPolicyLimit,
                    Duration jwksStaleIfError, Duration keyRotationPeriod, Clock clock) {
        this(publicUrl, region, maxTokenSeconds, trustPolicyLimit, jwksStaleIfError, keyRotationPeriod, clock, false, null);
    }

    /** The URL clusters' Kubernetes API endpoints are under. */
    public String clusterEndpointBase() {
        return kubernetesUrl != null ? kubernetesUrl : publicUrl;
    }

}
