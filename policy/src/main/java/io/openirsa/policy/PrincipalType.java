package io.openirsa.policy;

/** The keys of a Principal element. */
public enum PrincipalType {
    AWS,
    Federated,
    Service,
    CanonicalUser
}
