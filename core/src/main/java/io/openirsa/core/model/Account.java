package io.openirsa.core.model;

import java.time.Instant;

public record Account(String id, Instant created) {
    public String rootArn() {
        return "arn:aws:iam::" + id + ":root";
    }
}
