package io.openirsa.core;

import io.openirsa.policy.MalformedPolicyException;
import io.openirsa.policy.Policy;
import io.openirsa.policy.PolicyKind;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiled policies by document: a document is parsed once, when it is stored or first used, and
 * evaluated from then on. Keyed by the text, so a changed document is compiled afresh and any
 * replica agrees with its store. Bounded: past the limit it starts over.
 */
public final class CompiledPolicies {
    private static final int LIMIT = 10_000;
    private record Key(String document, PolicyKind kind) {
    }

    private final Map<Key, Policy> policies = new ConcurrentHashMap<>();

    /** @throws AwsException MalformedPolicyDocument with IAM's message */
    public Policy compile(String document, PolicyKind kind) {
        Key key = new Key(document, kind);
        Policy p = policies.get(key);
        if (p != null) {
            return p;
        }
        try {
            p = Policy.parse(document, kind);
        } catch (MalformedPolicyException e) {
            throw AwsException.malformedPolicy(e.getMessage());
        }
        if (policies.size() >= LIMIT) {
            policies.clear();
        }
        policies.put(key, p);
        return p;
    }
}
