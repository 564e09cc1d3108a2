package io.openirsa.core;

/**
 * Where a call was refused, in the order a web identity exchange meets them: the {@code stage} of an
 * audit record's {@code additionalEventData.denial} and of {@code irsa explain}.
 */
public enum DenialStage {
    REQUEST_VALIDATION("request-validation"),
    AUTHENTICATION("authentication"),
    AUTHORIZATION("authorization"),
    PROVIDER_LOOKUP("provider-lookup"),
    KEY_RETRIEVAL("key-retrieval"),
    SIGNATURE("signature"),
    CLAIMS("claims"),
    ROLE_LOOKUP("role-lookup"),
    TRUST_POLICY("trust-policy");

    private final String wireName;

    DenialStage(String wireName) {
        this.wireName = wireName;
    }

    /** Its name in audit records, as they have always said it. */
    public String wireName() {
        return wireName;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
