package io.openirsa.core.iam;

import io.openirsa.core.model.ManagedPolicy;
import io.openirsa.core.store.Store;

import java.util.Optional;

/** Managed policy documents by ARN: AWS managed ones from the catalogue, customer managed ones (default version) from the store. */
public final class PolicyCatalog {
    private final Store store;

    public PolicyCatalog(Store store) {
        this.store = store;
    }

    /** The default document of a policy an entity of this account may use, or empty. */
    public Optional<String> defaultDocument(String accountId, String arn) {
        if (arn == null) {
            return Optional.empty();
        }
        if (arn.startsWith(ManagedPolicies.PREFIX)) {
            return ManagedPolicies.document(arn);
        }
        return customer(accountId, arn).flatMap(p -> store.policyVersion(arn, p.defaultVersionId())).map(v -> v.document());
    }

    /** A customer managed policy of this account. */
    public Optional<ManagedPolicy> customer(String accountId, String arn) {
        return store.policy(arn).filter(p -> p.accountId().equals(accountId));
    }

    /** The name a policy is listed under. */
    public String name(String arn) {
        return ManagedPolicies.name(arn);
    }
}
