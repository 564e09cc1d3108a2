package io.openirsa.policy;

import java.util.Objects;
import java.util.Set;

/**
 * Who makes the request, as a Principal element sees it.
 *
 * @param type which Principal key can name it
 * @param ids every value that names it exactly (a federated provider ARN; a role ARN and its session ARN)
 * @param account the 12-digit account the principal belongs to, or null (web identity has none)
 */
public record RequestPrincipal(PrincipalType type, Set<String> ids, String account) {
    public RequestPrincipal {
        Objects.requireNonNull(type, "type");
        ids = Set.copyOf(ids);
    }

    public static RequestPrincipal federated(String providerArnOrName) {
        return new RequestPrincipal(PrincipalType.Federated, Set.of(providerArnOrName), null);
    }

    /** An AWS service acting for itself, such as {@code pods.eks.amazonaws.com}. */
    public static RequestPrincipal service(String servicePrincipal) {
        return new RequestPrincipal(PrincipalType.Service, Set.of(servicePrincipal), null);
    }
}
