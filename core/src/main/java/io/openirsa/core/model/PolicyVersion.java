package io.openirsa.core.model;

import java.time.Instant;

public record PolicyVersion(String policyArn, String versionId, String document, Instant createdAt) {
}
