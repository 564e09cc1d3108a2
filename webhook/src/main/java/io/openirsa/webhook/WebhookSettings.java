package io.openirsa.webhook;

/**
 * How the webhook mutates pods. Defaults are the anchor's (amazon-eks-pod-identity-webhook).
 *
 * @param annotationPrefix prefix of the ServiceAccount and pod annotations and of the opt-out label
 * @param defaultAudience token audience when the ServiceAccount names none
 * @param mountPath where the projected token volume is mounted
 * @param region injected as AWS_REGION and AWS_DEFAULT_REGION when not null
 * @param regionalSts whether AWS_STS_REGIONAL_ENDPOINTS=regional is injected when the ServiceAccount does not say
 * @param defaultExpiration token lifetime when neither pod nor ServiceAccount says (seconds)
 * @param maxExpiration the longest token lifetime; longer requests are lowered to it
 * @param stsEndpoint injected as AWS_ENDPOINT_URL_STS when not null, so pods reach an OpenIRSA STS
 * @param fsGroup set as the pod's fsGroup when not null and the pod has none, so non-root containers can read the token
 */
public record WebhookSettings(String annotationPrefix, String defaultAudience, String mountPath, String region, boolean regionalSts,
                              long defaultExpiration, long maxExpiration, String stsEndpoint, Long fsGroup) {
    public static final long MIN_EXPIRATION = 600;
    public static final String VOLUME = "aws-iam-token";
    public static final String TOKEN_PATH = "token";

    public WebhookSettings {
        if (maxExpiration < MIN_EXPIRATION) {
            throw new IllegalArgumentException("the maximum token expiration must be at least " + MIN_EXPIRATION);
        }
    }

    public static WebhookSettings defaults() {
        return new WebhookSettings("eks.amazonaws.com", "sts.amazonaws.com", "/var/run/secrets/eks.amazonaws.com/serviceaccount",
                null, false, 86400, 86400, null, null);
    }

    public String annotation(String name) {
        return annotationPrefix + "/" + name;
    }

    /** Within [600, maxExpiration]: under 600 is raised, over the maximum lowered (the anchor declares a maximum but never enforces it). */
    public long clampExpiration(long seconds) {
        return Math.max(MIN_EXPIRATION, Math.min(maxExpiration, seconds));
    }
}
