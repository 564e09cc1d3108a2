package io.openirsa.core.store;

import io.openirsa.core.model.AccessKey;
import io.openirsa.core.model.Account;
import io.openirsa.core.model.Cluster;
import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.ManagedPolicy;
import io.openirsa.core.model.OidcProvider;
import io.openirsa.core.model.PodIdentityAssociation;
import io.openirsa.core.model.PolicyVersion;
import io.openirsa.core.model.Role;
import io.openirsa.core.model.StoredKey;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable state, as the domain needs it. Implementations live in the store module (SQLite,
 * PostgreSQL); the domain never sees SQL. Inserts return false when the natural key exists.
 */
public interface Store extends AuditTrail, AutoCloseable {

    // accounts and their long-term keys
    boolean insertAccount(Account account);

    Optional<Account> account(String id);

    boolean insertAccessKey(AccessKey key);

    Optional<AccessKey> accessKey(String accessKeyId);

    List<AccessKey> accessKeys(String accountId);

    // clusters
    boolean insertCluster(Cluster cluster);

    Optional<Cluster> cluster(String accountId, String name);

    Optional<Cluster> clusterById(String id);

    List<Cluster> clusters(String accountId);

    /** Every cluster of every account, for background work such as key rotation. */
    List<Cluster> allClusters();

    /** Deletes the cluster and its Pod Identity associations. */
    boolean deleteCluster(String accountId, String name);

    // EKS Pod Identity associations
    /** @return false if the service account already has one in this cluster */
    boolean insertAssociation(PodIdentityAssociation association);

    Optional<PodIdentityAssociation> association(String accountId, String clusterName, String associationId);

    /** The cluster's associations, by association id. */
    List<PodIdentityAssociation> associations(String accountId, String clusterName);

    /** Replaces the association with the same id; false if there is none. */
    boolean updateAssociation(PodIdentityAssociation association);

    boolean deleteAssociation(String accountId, String clusterName, String associationId);

    // keys (issuer signing keys, session-token sealing keys)
    /** @return false when a key with that owner and id exists (another replica made it first) */
    boolean insertKey(StoredKey key);

    List<StoredKey> keys(String owner);

    void deleteKeys(String owner);

    void updateKeyStatus(String owner, String keyId, KeyStatus status, Instant changedAt);

    /** Makes the key the owner's primary and retires the one that was, in one transaction. */
    void promoteKey(String owner, String keyId, Instant changedAt);

    void deleteKey(String owner, String keyId);

    // OIDC providers, keyed by account and URL
    boolean insertProvider(OidcProvider provider);

    Optional<OidcProvider> provider(String accountId, String url);

    List<OidcProvider> providers(String accountId);

    void updateProvider(OidcProvider provider);

    boolean deleteProvider(String accountId, String url);

    // roles, keyed by account and case-insensitive name
    boolean insertRole(Role role);

    Optional<Role> role(String accountId, String name);

    List<Role> roles(String accountId);

    void updateRole(Role role);

    boolean deleteRole(String accountId, String name);

    List<String> attachedPolicies(String accountId, String roleName);

    boolean attachPolicy(String accountId, String roleName, String policyArn);

    boolean detachPolicy(String accountId, String roleName, String policyArn);

    /** Inserts or replaces. */
    void putRolePolicy(String accountId, String roleName, String policyName, String document);

    Optional<String> rolePolicy(String accountId, String roleName, String policyName);

    List<String> rolePolicyNames(String accountId, String roleName);

    boolean deleteRolePolicy(String accountId, String roleName, String policyName);

    // customer managed policies
    boolean insertPolicy(ManagedPolicy policy, PolicyVersion first);

    Optional<ManagedPolicy> policy(String arn);

    List<ManagedPolicy> policies(String accountId);

    void updatePolicy(ManagedPolicy policy);

    boolean deletePolicy(String arn);

    void insertPolicyVersion(PolicyVersion version);

    Optional<PolicyVersion> policyVersion(String arn, String versionId);

    List<PolicyVersion> policyVersions(String arn);

    boolean deletePolicyVersion(String arn, String versionId);

    /** How many roles have this policy attached. */
    int attachmentCount(String policyArn);

    /**
     * Runs work unless another replica is running work of that name right now (PostgreSQL advisory
     * lock; within one process for SQLite).
     *
     * @return whether it ran
     */
    boolean runExclusively(String name, Runnable work);

    @Override
    void close();
}
