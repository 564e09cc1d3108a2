package io.openirsa.core.model;

import java.time.Instant;

/**
 * A key as storage keeps it: issuer signing keys (a private JWK) and session-token sealing keys
 * (raw AES bytes, base64). {@code owner} is the cluster id, or {@code session-tokens}.
 *
 * @param changedAt when the key took its current status
 */
public record StoredKey(String owner, String keyId, KeyStatus status, String material, Instant createdAt, Instant changedAt) {

    public StoredKey withStatus(KeyStatus next, Instant at) {
        return new StoredKey(owner, keyId, next, material, createdAt, at);
    }

    @Override
    public String toString() {
        return "StoredKey[" + owner + "/" + keyId + ", " + status + "]"; // never the material
    }
}
