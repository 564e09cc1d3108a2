package io.openirsa.core.eks;

import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.core.Identifiers;
import io.openirsa.core.Page;
import io.openirsa.core.Settings;
import io.openirsa.core.iam.Permissions;
import io.openirsa.core.model.Cluster;
import io.openirsa.core.model.PodIdentityAssociation;
import io.openirsa.core.store.Store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * EKS Pod Identity associations of a cluster: which role each service account gets. The role must
 * be in the cluster's account; a target role (any account) is then assumed with its session.
 */
public final class PodIdentityAssociations {
    static final int MAX_TAGS = 50;
    static final int MAX_POLICY = 2048;
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role/[\\w+=,.@/-]{1,512}");

    private final Store store;
    private final Settings settings;
    private final Permissions permissions;

    public PodIdentityAssociations(Store store, Settings settings, Permissions permissions) {
        this.store = store;
        this.settings = settings;
        this.permissions = permissions;
    }

    /** What a create or an update asks for; null fields of an update keep their value. */
    public record Request(String namespace, String serviceAccount, String roleArn, String targetRoleArn, String policy,
                          Boolean disableSessionTags, Map<String, String> tags, String clientRequestToken) {
    }

    public PodIdentityAssociation create(Caller caller, String clusterName, Request r) {
        required("namespace", r.namespace());
        required("serviceAccount", r.serviceAccount());
        required("roleArn", r.roleArn());
        permissions.check(caller, "eks:CreatePodIdentityAssociation", clusterArn(caller, clusterName));
        passRole(caller, r.roleArn());
        Cluster cluster = cluster(caller, clusterName);
        sameAccountRole(caller, r.roleArn());
        validate(r);
        Map<String, String> tags = r.tags() == null ? Map.of() : r.tags();
        if (tags.size() > MAX_TAGS) {
            throw invalidParameter("An association can have at most " + MAX_TAGS + " tags");
        }
        if (r.clientRequestToken() != null) {
            var earlier = store.associations(caller.accountId(), cluster.name()).stream()
                    .filter(a -> r.clientRequestToken().equals(a.clientRequestToken())).findFirst();
            if (earlier.isPresent()) {
                PodIdentityAssociation a = earlier.get();
                if (a.namespace().equals(r.namespace()) && a.serviceAccount().equals(r.serviceAccount()) && a.roleArn().equals(r.roleArn())
                        && Objects.equals(a.targetRoleArn(), r.targetRoleArn())) {
                    return a; // the same request again: the same association
                }
                throw new AwsException(AwsError.INVALID_REQUEST_EXCEPTION, "The clientRequestToken was already used for another request");
            }
        }
        Instant now = settings.clock().instant();
        PodIdentityAssociation a = new PodIdentityAssociation(caller.accountId(), cluster.region(), cluster.name(), Identifiers.podIdentityAssociationId(), r.namespace(),
                r.serviceAccount(), r.roleArn(), r.targetRoleArn(), r.targetRoleArn() == null ? null : UUID.randomUUID().toString(), r.policy(),
                Boolean.TRUE.equals(r.disableSessionTags()), tags, r.clientRequestToken(), now, now);
        if (!store.insertAssociation(a)) {
            throw new AwsException(AwsError.RESOURCE_IN_USE_EXCEPTION, "Association already exists for service account " + r.serviceAccount()
                    + " in namespace " + r.namespace() + " of cluster " + cluster.name());
        }
        return a;
    }

    public PodIdentityAssociation describe(Caller caller, String clusterName, String associationId) {
        permissions.check(caller, "eks:DescribePodIdentityAssociation", associationArn(caller, clusterName, associationId));
        return association(caller, clusterName, associationId);
    }

    /** @param namespace, serviceAccount filters, or null */
    public Page<PodIdentityAssociation> list(Caller caller, String clusterName, String namespace, String serviceAccount, Integer maxResults,
                                             String nextToken) {
        if (maxResults != null && (maxResults < 1 || maxResults > 100)) {
            throw invalidParameter("maxResults must be between 1 and 100");
        }
        permissions.check(caller, "eks:ListPodIdentityAssociations", clusterArn(caller, clusterName));
        Cluster cluster = cluster(caller, clusterName);
        List<PodIdentityAssociation> matching = store.associations(caller.accountId(), cluster.name()).stream()
                .filter(a -> namespace == null || a.namespace().equals(namespace))
                .filter(a -> serviceAccount == null || a.serviceAccount().equals(serviceAccount))
                .toList();
        return Page.of(matching, PodIdentityAssociation::associationId, nextToken, maxResults, invalidParameter("The nextToken is not valid"));
    }

    public PodIdentityAssociation update(Caller caller, String clusterName, String associationId, Request r) {
        permissions.check(caller, "eks:UpdatePodIdentityAssociation", associationArn(caller, clusterName, associationId));
        if (r.roleArn() != null) {
            passRole(caller, r.roleArn());
        }
        PodIdentityAssociation a = association(caller, clusterName, associationId);
        if (r.roleArn() != null) {
            sameAccountRole(caller, r.roleArn());
        }
        validate(r);
        // An empty target role removes it, as with the AWS CLI's --target-role-arn "".
        String target = r.targetRoleArn() == null ? a.targetRoleArn() : r.targetRoleArn().isEmpty() ? null : r.targetRoleArn();
        String externalId = target == null ? null : Objects.equals(target, a.targetRoleArn()) && a.externalId() != null ? a.externalId()
                : UUID.randomUUID().toString();
        PodIdentityAssociation updated = new PodIdentityAssociation(a.accountId(), a.region(), a.clusterName(), a.associationId(), a.namespace(),
                a.serviceAccount(), r.roleArn() == null ? a.roleArn() : r.roleArn(), target, externalId,
                r.policy() == null ? a.policy() : r.policy().isEmpty() ? null : r.policy(),
                r.disableSessionTags() == null ? a.disableSessionTags() : r.disableSessionTags(), a.tags(), a.clientRequestToken(),
                a.createdAt(), settings.clock().instant());
        if (!store.updateAssociation(updated)) {
            throw notFound(associationId);
        }
        return updated;
    }

    public PodIdentityAssociation delete(Caller caller, String clusterName, String associationId) {
        permissions.check(caller, "eks:DeletePodIdentityAssociation", associationArn(caller, clusterName, associationId));
        PodIdentityAssociation a = association(caller, clusterName, associationId);
        if (!store.deleteAssociation(a.accountId(), a.clusterName(), a.associationId())) {
            throw notFound(associationId);
        }
        return a;
    }

    private PodIdentityAssociation association(Caller caller, String clusterName, String associationId) {
        Cluster cluster = cluster(caller, clusterName);
        return store.association(caller.accountId(), cluster.name(), associationId).orElseThrow(() -> notFound(associationId));
    }

    /**
     * Associating a role hands it to EKS, which then gives its credentials to pods: the caller must
     * be allowed to pass it (iam:PassRole, iam:PassedToService pods.eks.amazonaws.com), as EKS requires.
     */
    private void passRole(Caller caller, String roleArn) {
        permissions.check(caller, "iam:PassRole", roleArn, b -> b.put("iam:PassedToService", "pods.eks.amazonaws.com"));
    }

    private String clusterArn(Caller caller, String clusterName) {
        return Cluster.arn(settings.region(), caller.accountId(), clusterName);
    }

    private String associationArn(Caller caller, String clusterName, String associationId) {
        return PodIdentityAssociation.arn(settings.region(), caller.accountId(), clusterName, associationId);
    }

    private Cluster cluster(Caller caller, String name) {
        return Eks.cluster(store, caller.accountId(), name);
    }

    private static void validate(Request r) {
        if (r.targetRoleArn() != null && !r.targetRoleArn().isEmpty() && !ROLE_ARN.matcher(r.targetRoleArn()).matches()) {
            throw invalidParameter("targetRoleArn is not a valid IAM role ARN: " + r.targetRoleArn());
        }
        if (r.policy() != null && r.policy().length() > MAX_POLICY) {
            throw invalidParameter("policy must be at most " + MAX_POLICY + " characters");
        }
    }

    private static void sameAccountRole(Caller caller, String roleArn) {
        var m = ROLE_ARN.matcher(roleArn);
        if (!m.matches()) {
            throw invalidParameter("roleArn is not a valid IAM role ARN: " + roleArn);
        }
        if (!m.group(1).equals(caller.accountId())) {
            throw invalidParameter("The role " + roleArn + " must be in the cluster's account " + caller.accountId()
                    + "; use targetRoleArn for a role in another account");
        }
    }

    private static void required(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw invalidParameter(name + " is required");
        }
    }

    private static AwsException notFound(String associationId) {
        return new AwsException(AwsError.RESOURCE_NOT_FOUND_EXCEPTION, "No Pod Identity association found for id: " + associationId + ".");
    }

    private static AwsException invalidParameter(String message) {
        return new AwsException(AwsError.INVALID_PARAMETER_EXCEPTION, message);
    }
}
