package io.openirsa.core.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An IAM OpenID Connect identity provider.
 *
 * @param url the issuer URL as registered, with its scheme
 * @param thumbprints SHA-1 fingerprints (hex) of certificates trusted for the issuer when its TLS
 *                    certificate does not chain to a trusted root, as IAM documents
 * @param caBundle PEM CA certificates also trusted for this issuer (an OpenIRSA extension), or null
 */
public record OidcProvider(String accountId, String url, List<String> clientIds, List<String> thumbprints,
                           Instant createdAt, Map<String, String> tags, String caBundle) {
    public OidcProvider {
        clientIds = List.copyOf(clientIds);
        thumbprints = List.copyOf(thumbprints);
        tags = Map.copyOf(tags);
    }

    /** The URL without its scheme: the ARN's resource part and the prefix of condition keys. */
    public String hostPath() {
        return hostPath(url);
    }

    public String arn() {
        return arn(accountId, url);
    }

    public static String hostPath(String url) {
        int i = url.indexOf("://");
        return i < 0 ? url : url.substring(i + 3);
    }

    public static String arn(String accountId, String url) {
        return "arn:aws:iam::" + accountId + ":oidc-provider/" + hostPath(url);
    }

    public OidcProvider withClientIds(List<String> ids) {
        return new OidcProvider(accountId, url, ids, thumbprints, createdAt, tags, caBundle);
    }

    public OidcProvider withThumbprints(List<String> t) {
        return new OidcProvider(accountId, url, clientIds, t, createdAt, tags, caBundle);
    }

    public OidcProvider withCaBundle(String pem) {
        return new OidcProvider(accountId, url, clientIds, thumbprints, createdAt, tags, pem);
    }
}
