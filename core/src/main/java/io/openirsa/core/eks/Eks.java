package io.openirsa.core.eks;

import io.openirsa.core.AwsError;
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
import io.openirsa.core.sts.IssuerTrust;
import io.openirsa.core.sts.JwksCache;
import io.openirsa.core.sts.KeyEncryption;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The EKS cluster operations: each cluster brings its own OIDC issuer. */
public final class Eks {
    /**
     * OpenIRSA's own IAM action for Kubernetes' TokenRequest: minting a service account's projected
     * token is {@code create} on {@code serviceaccounts/token} in Kubernetes, never implied by an EKS
     * read permission. Its resource is {@link #serviceAccountArn}; docs/security.md.
     */
    public static final String CREATE_TOKEN = "openirsa:CreateServiceAccountToken";
    /** Signing any claims of a cluster's service accounts, as its API server's external signer. */
    public static final String SIGN_TOKENS = "openirsa:SignServiceAccountTokens";
    public static final String DEFAULT_VERSION = "1.33";
    private static final Pattern NAME = Pattern.compile("[0-9A-Za-z][A-Za-z0-9\\-_]{0,99}");
    private static final Pattern VERSION = Pattern.compile("1\\.\\d{1,2}");

    private final Store store;
    private final Settings settings;
    private final ClusterIssuers issuers;
    private final Permissions permissions;
    private final KeyEncryption keyEncryption;
    private final JwksCache jwks;
    /** A kube-apiserver's discovery token: a service account token or similar, well under this. */
    static final int MAX_DISCOVERY_TOKEN = 16 * 1024;
    static final int MAX_CA_BUNDLE = 256 * 1024;
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7E]+");

    public Eks(Store store, Settings settings, ClusterIssuers issuers, Permissions permissions, KeyEncryption keyEncryption, JwksCache jwks) {
        this.store = store;
        this.settings = settings;
        this.issuers = issuers;
        this.permissions = permissions;
        this.keyEncryption = keyEncryption;
        this.jwks = jwks;
    }

    /**
     * Registers an existing Kubernetes cluster by its service-account issuer (kube-apiserver's
     * {@code --service-account-issuer}): its pods' tokens then exchange through AssumeRoleWithWebIdentity
     * and AssumeRoleForPodIdentity, verified with the keys its API server publishes. EKS's RegisterCluster
     * is the closest shape; the issuer, CA bundle and discovery token are OpenIRSA's additions.
     *
     * @param caBundle PEM CA certificates for the issuer's TLS certificate, or null for the system's roots
     * @param discoveryToken sent as a bearer token to the discovery endpoints when they are not anonymous, or null
     */
    public Cluster registerCluster(Caller caller, String name, String issuer, String caBundle, String discoveryToken, String roleArn,
                                   Map<String, String> tags) {
        requireName(name);
        String arn = clusterArn(caller, name);
        permissions.check(caller, "eks:RegisterCluster", arn);
        if (roleArn != null) {
            permissions.check(caller, "iam:PassRole", roleArn, b -> b.put("iam:PassedToService", "eks-connector.amazonaws.com"));
        }
        requireIssuer(issuer);
        if (caBundle != null && (caBundle.length() > MAX_CA_BUNDLE || !IssuerTrust.isCertificateBundle(caBundle))) {
            throw invalidParameter("caBundle must be PEM X.509 certificates, at most " + MAX_CA_BUNDLE + " characters");
        }
        if (discoveryToken != null && (discoveryToken.length() > MAX_DISCOVERY_TOKEN || !TOKEN.matcher(discoveryToken).matches())) {
            throw invalidParameter("discoveryToken must be at most " + MAX_DISCOVERY_TOKEN + " visible ASCII characters");
        }
        Cluster cluster = new Cluster(caller.accountId(), name, Identifiers.clusterId(), settings.region(), issuer, "", roleArn, // version: its API server knows
                settings.clock().instant(), tags == null ? Map.of() : tags,
                new Cluster.Discovery(blankToNull(caBundle), discoveryToken == null ? null : keyEncryption.seal(discoveryToken)));
        if (!store.insertCluster(cluster)) {
            throw new AwsException(AwsError.RESOURCE_IN_USE_EXCEPTION, "Cluster already exists with name: " + name);
        }
        jwks.invalidate(issuer); // keys a failed or earlier fetch left behind are not this registration's
        return cluster;
    }

    /** Removes a registered cluster, its Pod Identity associations with it. */
    public Cluster deregisterCluster(Caller caller, String name) {
        permissions.check(caller, "eks:DeregisterCluster", clusterArn(caller, name));
        Cluster c = cluster(caller, name);
        if (!c.registered()) {
            throw new AwsException(AwsError.INVALID_REQUEST_EXCEPTION, "Cluster " + name + " was created, not registered: use DeleteCluster");
        }
        store.deleteCluster(caller.accountId(), c.name());
        jwks.invalidate(c.issuer());
        return c;
    }

    /**
     * The registered clusters' discovery settings, opened, for the JWKS cache: the first cluster of the
     * account registered with that issuer.
     */
    public static JwksCache.RegisteredIssuers registeredIssuers(Store store, KeyEncryption keyEncryption) {
        return (accountId, issuer) -> store.clusters(accountId).stream()
                .filter(c -> c.registered() && c.issuer().equals(issuer)).findFirst()
                .map(c -> opened(c.discovery(), keyEncryption));
    }

    /** A registered cluster with its discovery token readable, for fetching its keys. */
    public Cluster opened(Cluster c) {
        return c.registered() ? new Cluster(c.accountId(), c.name(), c.id(), c.region(), c.issuer(), c.version(), c.roleArn(), c.createdAt(),
                c.tags(), opened(c.discovery(), keyEncryption)) : c;
    }

    private static Cluster.Discovery opened(Cluster.Discovery d, KeyEncryption keyEncryption) {
        return new Cluster.Discovery(d.caBundle(), d.bearerToken() == null ? null : keyEncryption.open(d.bearerToken()));
    }

    /** An https issuer URL without query, fragment or user info (plain http only on this machine), as kube-apiserver requires. */
    private static void requireIssuer(String issuer) {
        if (issuer == null || issuer.isEmpty()) {
            throw invalidParameter("oidcIssuer is required: the cluster's --service-account-issuer URL");
        }
        URI uri;
        try {
            uri = new URI(issuer);
        } catch (URISyntaxException e) {
            throw invalidParameter("oidcIssuer is not a URL: " + e.getMessage());
        }
        boolean secure = "https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && JwksCache.isLoopback(uri.getHost()));
        if (issuer.length() > 2048 || !secure || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || uri.getRawUserInfo() != null) {
            throw invalidParameter("oidcIssuer must be an https URL without query, fragment or user info, at most 2048 characters");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw invalidParameter("The cluster name must satisfy regular expression pattern: [0-9A-Za-z][A-Za-z0-9\\-_]* and be at most 100 characters");
        }
    }

    public Cluster createCluster(Caller caller, String name, String version, String roleArn, Map<String, String> tags) {
        return createCluster(caller, name, version, roleArn, tags, null);
    }

    /**
     * @param issuer OpenIRSA's extension: the URL the cluster's tokens name as {@code iss}, where its issuer is
     *               published (`irsa issuer export`, docs/any-cluster.md); null: {@code {public-url}/id/{id}}, served here
     */
    public Cluster createCluster(Caller caller, String name, String version, String roleArn, Map<String, String> tags, String issuer) {
        requireName(name);
        if (issuer != null) {
            requireIssuer(issuer);
            if (issuer.endsWith("/")) {
                throw invalidParameter("oidcIssuer must not end with a slash: tokens carry it exactly");
            }
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
        Cluster cluster = new Cluster(caller.accountId(), name, id, settings.region(), issuer != null ? issuer : settings.publicUrl() + "/id/" + id,
                version == null ? DEFAULT_VERSION : version, roleArn, settings.clock().instant(), tags == null ? Map.of() : tags);
        issuers.createKeys(id);
        if (!store.insertCluster(cluster)) {
            issuers.deleteKeys(id);
            throw new AwsException(AwsError.RESOURCE_IN_USE_EXCEPTION, "Cluster already exists with name: " + name);
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
        Cluster cluster = cluster(caller, clusterName);
        if (cluster.registered()) {
            throw new AwsException(AwsError.INVALID_REQUEST_EXCEPTION, "Cluster " + clusterName
                    + " is registered: its tokens come from its own API server (kubectl create token)");
        }
        return issuers.issue(cluster, namespace, serviceAccount, audiences, seconds, podName, podUid);
    }

    /**
     * Signs kube-apiserver's claims for a cluster whose API server signs through OpenIRSA (the
     * signer daemon calls it). The caller needs {@link #SIGN_TOKENS} on the cluster: it mints tokens for
     * any service account of it.
     */
    public ClusterIssuers.ExternalSignature signForApiServer(Caller caller, String clusterName, String claims) {
        return issuers.signExternal(withOurKeys(caller, clusterName, SIGN_TOKENS, "its own API server signs its tokens"), claims);
    }

    /**
     * What a signer needs besides signatures: the longest lifetime signed, the cluster's issuer and its
     * public keys (the JWKS as JSON: the next key before it signs, old ones until their tokens expire).
     */
    public record SignerMetadata(long maxTokenSeconds, String issuer, Map<String, Object> keys) {
    }

    /** A signer's metadata; needs {@link #SIGN_TOKENS}, as signing does, and nothing more. */
    public SignerMetadata signerMetadata(Caller caller, String clusterName) {
        return signerMetadata(caller, clusterName, SIGN_TOKENS);
    }

    /** A cluster's issuer and public keys, to publish them elsewhere (`irsa issuer export`); what DescribeCluster may read. */
    public SignerMetadata publishedIssuer(Caller caller, String clusterName) {
        return signerMetadata(caller, clusterName, "eks:DescribeCluster");
    }

    private SignerMetadata signerMetadata(Caller caller, String clusterName, String action) {
        Cluster c = withOurKeys(caller, clusterName, action, "its own API server holds its keys");
        return new SignerMetadata(settings.maxTokenSeconds(), c.issuer(), issuers.keys(c.id()).publicJwks().toJSONObject());
    }

    /** A cluster whose keys OpenIRSA holds, for a caller allowed {@code action} on it; a registered one is refused, saying {@code why}. */
    private Cluster withOurKeys(Caller caller, String clusterName, String action, String why) {
        permissions.check(caller, action, clusterArn(caller, clusterName));
        Cluster c = cluster(caller, clusterName);
        if (c.registered()) {
            throw new AwsException(AwsError.INVALID_REQUEST_EXCEPTION, "Cluster " + c.name() + " is registered: " + why);
        }
        return c;
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
        if (c.registered()) {
            throw new AwsException(AwsError.INVALID_REQUEST_EXCEPTION, "Cluster " + name + " is registered: use DeregisterCluster");
        }
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
                .orElseThrow(() -> new AwsException(AwsError.RESOURCE_NOT_FOUND_EXCEPTION, "No cluster found for name: " + name + "."));
    }

    private static AwsException invalidParameter(String message) {
        return new AwsException(AwsError.INVALID_PARAMETER_EXCEPTION, message);
    }
}
