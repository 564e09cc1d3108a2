package io.openirsa.policy;

/** Which elements a document may and must have depends on where IAM stores it. */
public enum PolicyKind {
    /** A role's trust policy (AssumeRolePolicyDocument): Principal required, no Resource, no NotPrincipal. */
    TRUST,
    /** An identity-based (permissions) policy: Resource required, no Principal. */
    IDENTITY
}
