package io.openirsa.core.eks;

import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.core.Identifiers;
import io.openirsa.core.Page;
import io.openirsa.core.Settings;
import io.openirsa.core.iam.Permissions;
import io.openirsa.core.issuer.ClusterIssuers;
import io.openirsa.core.issuer.ServiceAccountToken;
import io.openirsa.core.model.Cluster;
import io.openirsa.core.store.Store;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The EKS cluster operations: each cluster brings its own OIDC issuer. */
public final class Eks {
    /**
     * OpenIRSA's own IAM action for Kubernetes' TokenRequest: minting a service account's projected
     * token is {@code create} on {@code serviceaccounts/token} in Kubernetes, never implied by an EKS
     * read permission. Its resource is {@link #serviceAccountArn}; docs/security.md.
     */
    public static final String CREATE_TOKEN = "openirsa:CreateServiceAccountToken";
    public static final String DEFAULT_VERSION = "1.33";
    private static final Pattern NAME = Pattern.compile("[0-9A-Za-z][A-Za-z0-9\\-_]{0,99}");
    private static final Pattern VERSION = Pattern.compile("1\\.\\d{1,2}");

    private final Store store;
    private final Settings settings;
    private final ClusterIssuers issuers;
    private final Permissions permissions;

    public Eks(Store store, Settings settings, ClusterIssuers issuers, Permissions permissions) {
        this.store = store;
        this.settings = settings;
        this.issuers = issuers;
        this.permissions = permissions;
    }

    public Cluster createCluster(Caller caller, String name, String version, String roleArn, Map<String, String> tags) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw invalidParameter("The cluster name must satisfy regular expression pattern: [0-9A-Za-z][A-Za-z0-9\\-_]* and be at most 100 characters");
        }
        if (version != null && !VERSION.matcher(version).matches()) {
            throw invalidParameter("unsupported Kubernetes version " + version);
        }
        String arn = clusterArn(caller, name);
        permissions.check(caller, "eks:CreateCluster", arn);
        if (roleArn != null) {
            permissions.check(caller, "iam:PassRole", roleArn, b -> b.put("iam:PassedToService", "eks.amazonaws.com"));
        }
        String id = Identifiers.clusterId();
        Cluster cluster = new Cluster(caller.accountId(), name, id, settings.region(), settings.publicUrl() + "/id/" + id,
                version == null ? DEFAULT_VERSION : version, roleArn, settings.clock().instant(), tags == null ? Map.of() : tags);
        issuers.createKeys(id);
        if (!store.insertCluster(cluster)) {
            issuers.deleteKeys(id);
            throw new AwsException("ResourceInUseException", 409, "Cluster already exists with name: " + name);
        }
        return cluster;
    }

    public Cluster describeCluster(Caller caller, String name) {
        permissions.check(caller, "eks:DescribeCluster", clusterArn(caller, name));
        return cluster(caller, name);
    }

    /**
     * A projected token for a service account of a cluster (Kubernetes' TokenRequest), for a caller
     * allowed {@link #CREATE_TOKEN} on that service account: the account's root, or a session whose
     * policies grant it.
     */
    public ServiceAccountToken createServiceAccountToken(Caller caller, String clusterName, String namespace, String serviceAccount,
                                                         List<String> audiences, Long seconds, String podName, String podUid) {
        permissions.check(caller, CREATE_TOKEN, serviceAccountArn(caller.accountId(), clusterName, namespace, serviceAccount));
        return issuers.issue(cluster(caller, clusterName), namespace, serviceAccount, audiences, seconds, podName, podUid);
    }

    /** {@code arn:aws:eks:REGION:ACCOUNT:serviceaccount/CLUSTER/NAMESPACE/NAME}: what {@link #CREATE_TOKEN} is granted on. */
    public String serviceAccountArn(String accountId, String cluster, String namespace, String serviceAccount) {
        return "arn:aws:eks:" + settings.region() + ":" + accountId + ":serviceaccount/" + cluster + "/" + namespace + "/" + serviceAccount;
    }

    private String clusterArn(Caller caller, String name) {
        return Cluster.arn(settings.region(), caller.accountId(), name);
    }

    public Page<String> listClusters(Caller caller, Integer maxResults, String nextToken) {
        if (maxResults != null && (maxResults < 1 || maxResults > 100)) {
            throw invalidParameter("maxResults must be between 1 and 100");
        }
        permissions.check(caller, "eks:ListClusters", clusterArn(caller, "*"));
        List<String> names = store.clusters(caller.accountId()).stream().map(Cluster::name).sorted().toList();
        return Page.of(names, n -> n, nextToken, maxResults, invalidParameter("The nextToken is not valid"));
    }

    public Cluster deleteCluster(Caller caller, String name) {
        permissions.check(caller, "eks:DeleteCluster", clusterArn(caller, name));
        Cluster c = cluster(caller, name);
        store.deleteCluster(caller.accountId(), c.name());
        issuers.deleteKeys(c.id());
        return c;
    }

    private Cluster cluster(Caller caller, String name) {
        if (name == null || name.isEmpty()) {
            throw invalidParameter("name must not be empty");
        }
        return cluster(store, caller.accountId(), name);
    }

    /** The account's cluster of that name, or EKS's ResourceNotFoundException: for every operation that names one. */
    static Cluster cluster(Store store, String accountId, String name) {
        return store.cluster(accountId, name)
                .orElseThrow(() -> new AwsException("ResourceNotFoundException", 404, "No cluster found for name: " + name + "."));
    }

    private static AwsException invalidParameter(String message) {
        return new AwsException("InvalidParameterException", 400, message);
    }
}
