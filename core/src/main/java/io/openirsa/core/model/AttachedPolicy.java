package io.openirsa.core.model;

public record AttachedPolicy(String policyName, String policyArn) {
}
