package io.openirsa.policy;

public enum Effect {
    Allow,
    Deny
}
