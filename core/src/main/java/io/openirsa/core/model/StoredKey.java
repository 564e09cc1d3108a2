package io.openirsa.core.model;

import java.time.Instant;

/**
 * A key as storage keeps it: issuer signing keys (a private JWK) and session-token sealing keys
 * (raw AES bytes, base64). {@code owner} is the cluster id, or {@code session-tokens}.
 */
public record StoredKey(String owner, String keyId, KeyStatus status, String material, Instant createdAt) {
    @Override
    public String toString() {
        return "StoredKey[" + owner + "/" + keyId + ", " + status + "]"; // never the material
    }
}
