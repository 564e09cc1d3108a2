package io.openirsa.core.model;

import java.time.Instant;
import java.util.Map;

/**
 * A customer managed policy. Its documents are versions ({@link PolicyVersion}); {@code nextVersion}
 * numbers the next one (v1, v2, ...: numbers are never reused).
 */
public record ManagedPolicy(String accountId, String name, String path, String policyId, String description, String defaultVersionId,
                            int nextVersion, Instant createdAt, Instant updatedAt, Map<String, String> tags) {
    public ManagedPolicy {
        tags = Map.copyOf(tags);
    }

    public String arn() {
        return "arn:aws:iam::" + accountId + ":policy" + path + name;
    }

    public ManagedPolicy withVersions(String defaultVersion, int next, Instant at) {
        return new ManagedPolicy(accountId, name, path, policyId, description, defaultVersion, next, createdAt, at, tags);
    }
}
