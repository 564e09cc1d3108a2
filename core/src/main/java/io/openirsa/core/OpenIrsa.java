package io.openirsa.core;

import io.openirsa.core.audit.AuditLog;
import io.openirsa.core.audit.LookupEvents;
import io.openirsa.core.eks.ClusterCertificateAuthority;
import io.openirsa.core.eks.Eks;
import io.openirsa.core.eks.PodIdentity;
import io.openirsa.core.eks.PodIdentityAssociations;
import io.openirsa.core.iam.Iam;
import io.openirsa.core.iam.Permissions;
import io.openirsa.core.iam.PolicyCatalog;
import io.openirsa.core.iam.Simulator;
import io.openirsa.core.issuer.ClusterIssuers;
import io.openirsa.core.model.AccessKey;
import io.openirsa.core.model.Account;
import io.openirsa.core.store.AuditTrail;
import io.openirsa.core.store.Store;
import io.openirsa.core.sts.JwksCache;
import io.openirsa.core.sts.KeyEncryption;
import io.openirsa.core.sts.SessionPolicies;
import io.openirsa.core.sts.SessionTokens;
import io.openirsa.core.sts.Sts;
import io.openirsa.core.sts.WebIdentityVerifier;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The domain, wired: one instance per server, built from a store and settings. */
public final class OpenIrsa implements AutoCloseable {
    /** This build's version: in {@code irsa --version} and the {@code openirsa_build_info} metric. */
    public static final String VERSION = "0.1.0";

    private final Settings settings;
    private final Store store;
    private final Iam iam;
    private final Sts sts;
    private final Eks eks;
    private final PodIdentityAssociations podIdentityAssociations;
    private final PodIdentity podIdentity;
    private final ClusterIssuers issuers;
    private final Authenticator authenticator;
    private final JwksCache jwks;
    private final AuditLog audit;
    private final SessionTokens sessionTokens;
    private final LookupEvents lookupEvents;
    private final Simulator simulator;
    private volatile String administratorAccount;
    private final KeyEncryption keyEncryption;
    private ClusterCertificateAuthority clusterCa;

    public OpenIrsa(Store store, Settings settings) {
        this(store, settings, KeyEncryption.NONE);
    }

    /** @param keyEncryption how key material is sealed in the store */
    public OpenIrsa(Store store, Settings settings, KeyEncryption keyEncryption) {
        this.settings = settings;
        this.store = store;
        CompiledPolicies compiled = new CompiledPolicies();
        this.jwks = new JwksCache(settings.clock(), settings.jwksStaleIfError(), settings.publicUrl(), settings.privateIssuers(),
                Eks.registeredIssuers(store, keyEncryption));
        PolicyCatalog catalog = new PolicyCatalog(store);
        Permissions permissions = new Permissions(store, compiled, catalog, settings.clock());
        this.sessionTokens = SessionTokens.load(store, keyEncryption, settings.clock().instant(),
                SessionTokens.rotationPolicy(settings.keyRotationPeriod()));
        this.issuers = new ClusterIssuers(store, settings, keyEncryption);
        this.iam = new Iam(store, settings, compiled, permissions, jwks, catalog);
        this.eks = new Eks(store, settings, issuers, permissions, keyEncryption, jwks);
        this.podIdentityAssociations = new PodIdentityAssociations(store, settings, permissions);
        this.sts = new Sts(store, settings, new WebIdentityVerifier(store, jwks, settings.clock()), sessionTokens, compiled, permissions,
                new SessionPolicies(compiled, catalog::defaultDocument));
        this.keyEncryption = keyEncryption;
        this.authenticator = new Authenticator(store, sessionTokens, settings.clock(), keyEncryption);
        this.podIdentity = new PodIdentity(store, settings, issuers, permissions, sts, jwks, eks);
        this.audit = new AuditLog(store);
        this.lookupEvents = new LookupEvents(store, permissions, settings.clock());
        this.simulator = new Simulator(store, compiled, catalog, permissions);
    }

    /**
     * Creates the account and its first administrator key if the store has no account yet.
     *
     * @return the administrator key of the account
     */
    public AccessKey bootstrap(String accountId) {
        this.administratorAccount = accountId;
        // Replicas starting together on an empty database must agree on one account and one key.
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!store.runExclusively("openirsa-bootstrap", () -> createAccountAndKeyIfMissing(accountId))) {
            if (System.nanoTime() > giveUp) {
                throw new IllegalStateException("another replica held the bootstrap lock for 30 s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for another replica's bootstrap", e);
            }
        }
        return opened(store.accessKeys(accountId).getFirst());
    }

    /** A long-term key as stored (its secret sealed with the key-encryption key, when there is one), and as used. */
    private AccessKey sealed(AccessKey key) {
        return new AccessKey(key.accessKeyId(), keyEncryption.seal(key.secretAccessKey()), key.accountId(), key.created());
    }

    private AccessKey opened(AccessKey key) {
        return new AccessKey(key.accessKeyId(), keyEncryption.open(key.secretAccessKey()), key.accountId(), key.created());
    }

    private void createAccountAndKeyIfMissing(String accountId) {
        if (store.account(accountId).isEmpty()) {
            store.insertAccount(new Account(accountId, settings.clock().instant()));
        }
        if (store.accessKeys(accountId).isEmpty()) {
            store.insertAccessKey(sealed(new AccessKey(Identifiers.accessKeyId(), Identifiers.secretAccessKey(), accountId, settings.clock().instant())));
        }
    }

    /**
     * Creates another account and its first administrator key. Only the root of the server's own
     * account (the one it was started with) may do this.
     */
    public AccessKey createAccount(Caller caller, String accountId) {
        if (!caller.isRoot() || !caller.accountId().equals(administratorAccount)) {
            throw AwsException.accessDenied("User: " + caller.arn() + " is not authorized to perform: organizations:CreateAccount");
        }
        if (accountId == null || !accountId.matches("\\d{12}")) {
            throw AwsException.invalidInput("The account id must be 12 digits.");
        }
        if (!store.insertAccount(new Account(accountId, settings.clock().instant()))) {
            throw new AwsException(AwsError.ENTITY_ALREADY_EXISTS, "Account " + accountId + " already exists.");
        }
        AccessKey key = new AccessKey(Identifiers.accessKeyId(), Identifiers.secretAccessKey(), accountId, settings.clock().instant());
        store.insertAccessKey(sealed(key));
        return key;
    }

    public Settings settings() {
        return settings;
    }

    public Iam iam() {
        return iam;
    }

    public Sts sts() {
        return sts;
    }

    /**
     * The CA of the clusters' Kubernetes API endpoint, loaded (or made, on a new store) at its first use:
     * Bouncy Castle's classes stay out of a start that serves no cluster endpoint over TLS.
     */
    public synchronized ClusterCertificateAuthority clusterCertificateAuthority() {
        if (clusterCa == null) {
            clusterCa = ClusterCertificateAuthority.load(store, keyEncryption, settings.clock().instant());
        }
        return clusterCa;
    }

    public Eks eks() {
        return eks;
    }

    /** EKS Pod Identity associations. */
    public PodIdentityAssociations podIdentityAssociations() {
        return podIdentityAssociations;
    }

    /** eks-auth AssumeRoleForPodIdentity. */
    public PodIdentity podIdentity() {
        return podIdentity;
    }

    public ClusterIssuers issuers() {
        return issuers;
    }

    /** The keys session tokens are sealed with. */
    public SessionTokens sessionTokens() {
        return sessionTokens;
    }

    /** Where every answered call is recorded. */
    public AuditLog audit() {
        return audit;
    }

    /** IAM's policy simulator. */
    public Simulator simulator() {
        return simulator;
    }

    /** CloudTrail's LookupEvents. */
    public LookupEvents lookupEvents() {
        return lookupEvents;
    }

    /** The audit trail to read records back from (LookupEvents, explain). */
    public AuditTrail auditTrail() {
        return store;
    }

    /** Deletes audit records older than the retention; what a server does every minute. */
    public int expireAudit(Duration retention) {
        return store.deleteAuditBefore(settings.clock().instant().minus(retention));
    }

    @Override
    public void close() {
        audit.close();
    }

    public JwksCache jwks() {
        return jwks;
    }

    public Authenticator authenticator() {
        return authenticator;
    }
}
