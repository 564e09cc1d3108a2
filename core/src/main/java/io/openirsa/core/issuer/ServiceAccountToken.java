package io.openirsa.core.issuer;

import java.time.Instant;

/** A projected service-account token and when it expires. The token is a credential: never log it. */
public record ServiceAccountToken(String token, Instant expiration) {
    @Override
    public String toString() {
        return "ServiceAccountToken[expires " + expiration + "]";
    }
}
