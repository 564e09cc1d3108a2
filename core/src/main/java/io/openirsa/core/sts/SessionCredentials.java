package io.openirsa.core.sts;

import java.time.Instant;

/** Temporary credentials as STS returns them. */
public record SessionCredentials(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {
    @Override
    public String toString() {
        return "SessionCredentials[" + accessKeyId + ", expires " + expiration + "]";
    }
}
