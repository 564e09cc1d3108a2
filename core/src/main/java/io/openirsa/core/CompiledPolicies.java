package io.openirsa.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.openirsa.policy.MalformedPolicyException;
import io.openirsa.policy.Policy;
import io.openirsa.policy.PolicyKind;

/**
 * Compiled policies by document: a document is parsed once, when it is stored or first used, and
 * evaluated from then on. Keyed by the text, so a changed document is compiled afresh and any
 * replica agrees with its store. Bounded by the documents' total length (Caffeine's W-TinyLFU
 * evicts), so callers sending many large documents cannot fill the heap: 4 million characters hold
 * 10,000 trust policies of the EKS guide's size several times over.
 */
public final class CompiledPolicies {
    static final long MAX_CHARACTERS = 4_000_000;

    private record Key(String document, PolicyKind kind) {
    }

    private final Cache<Key, Policy> policies = Caffeine.newBuilder()
            .maximumWeight(MAX_CHARACTERS)
            .<Key, Policy>weigher((key, policy) -> key.document().length())
            .build();

    /** @throws AwsException MalformedPolicyDocument with IAM's message */
    public Policy compile(String document, PolicyKind kind) {
        Key key = new Key(document, kind);
        Policy p = policies.getIfPresent(key);
        if (p != null) {
            return p;
        }
        try {
            p = Policy.parse(document, kind);
        } catch (MalformedPolicyException e) {
            throw AwsException.malformedPolicy(e.getMessage());
        }
        policies.put(key, p);
        return p;
    }
}
