package io.openirsa.core.model;

import java.time.Instant;

/** A long-term access key. The secret is needed in clear to verify SigV4; it never goes to a log. */
public record AccessKey(String accessKeyId, String secretAccessKey, String accountId, Instant created) {
    @Override
    public String toString() {
        return "AccessKey[" + accessKeyId + ", account " + accountId + "]";
    }
}
