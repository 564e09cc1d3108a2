package io.openirsa.core.issuer;

import java.time.Instant;
import java.util.List;

/** A projected service-account token, its audiences and when it expires. The token is a credential: never log it. */
public record ServiceAccountToken(String token, Instant expiration, List<String> audiences) {
    public ServiceAccountToken {
        audiences = List.copyOf(audiences);
    }

    @Override
    public String toString() {
        return "ServiceAccountToken[" + audiences + ", expires " + expiration + "]";
    }
}
