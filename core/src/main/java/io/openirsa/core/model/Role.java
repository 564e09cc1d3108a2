package io.openirsa.core.model;

import java.time.Instant;
import java.util.Map;

/** An IAM role. The trust policy is kept as written; its compiled form lives in the domain's cache. */
public record Role(String accountId, String name, String path, String roleId, String trustPolicy,
                   String description, int maxSessionDuration, Instant createdAt, Map<String, String> tags) {
    public Role {
        tags = Map.copyOf(tags);
    }

    public String arn() {
        return "arn:aws:iam::" + accountId + ":role" + path + name;
    }

    public Role withTrustPolicy(String document) {
        return new Role(accountId, name, path, roleId, document, description, maxSessionDuration, createdAt, tags);
    }

    public Role withSettings(String newDescription, int newMaxSessionDuration) {
        return new Role(accountId, name, path, roleId, trustPolicy, newDescription, newMaxSessionDuration, createdAt, tags);
    }
}
