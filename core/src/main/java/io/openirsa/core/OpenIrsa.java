package io.openirsa.core;

import io.openirsa.core.audit.AuditLog;
import io.openirsa.core.audit.LookupEvents;
import io.openirsa.core.eks.Eks;
import io.openirsa.core.iam.Iam;
import io.openirsa.core.iam.Permissions;
import io.openirsa.core.issuer.ClusterIssuers;
import io.openirsa.core.model.AccessKey;
import io.openirsa.core.model.Account;
import io.openirsa.core.store.Store;
import io.openirsa.core.sts.JwksCache;
import io.openirsa.core.sts.SessionTokens;
import io.openirsa.core.sts.Sts;
import io.openirsa.core.sts.WebIdentityVerifier;

/** The domain, wired: one instance per server, built from a store and settings. */
public final class OpenIrsa implements AutoCloseable {
    private final Settings settings;
    private final Store store;
    private final Iam iam;
    private final Sts sts;
    private final Eks eks;
    private final ClusterIssuers issuers;
    private final Authenticator authenticator;
    private final JwksCache jwks;
    private final AuditLog audit;
    private final LookupEvents lookupEvents;

    public OpenIrsa(Store store, Settings settings) {
        this.settings = settings;
        this.store = store;
        CompiledPolicies compiled = new CompiledPolicies();
        this.jwks = new JwksCache(settings.clock(), settings.jwksStaleIfError());
        Permissions permissions = new Permissions(store, compiled);
        SessionTokens sessionTokens = SessionTokens.load(store, settings.clock().instant());
        this.issuers = new ClusterIssuers(store, settings);
        this.iam = new Iam(store, settings, compiled, permissions, jwks);
        this.eks = new Eks(store, settings, issuers, permissions);
        this.sts = new Sts(store, settings, new WebIdentityVerifier(store, jwks, settings.clock()), sessionTokens, compiled);
        this.authenticator = new Authenticator(store, sessionTokens, settings.clock());
        this.audit = new AuditLog(store);
        this.lookupEvents = new LookupEvents(store, permissions, settings.clock());
    }

    /**
     * Creates the account and its first administrator key if the store has no account yet.
     *
     * @return the administrator key of the account
     */
    public AccessKey bootstrap(String accountId) {
        if (store.account(accountId).isEmpty()) {
            store.insertAccount(new Account(accountId, settings.clock().instant()));
        }
        return store.accessKeys(accountId).stream().findFirst().orElseGet(() -> {
            AccessKey key = new AccessKey(Identifiers.accessKeyId(), Identifiers.secretAccessKey(), accountId, settings.clock().instant());
            store.insertAccessKey(key);
            return key;
        });
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

    public Eks eks() {
        return eks;
    }

    public ClusterIssuers issuers() {
        return issuers;
    }

    /** Where every answered call is recorded. */
    public AuditLog audit() {
        return audit;
    }

    /** CloudTrail's LookupEvents. */
    public LookupEvents lookupEvents() {
        return lookupEvents;
    }

    /** The audit trail to read records back from (LookupEvents, explain). */
    public io.openirsa.core.store.AuditTrail auditTrail() {
        return store;
    }

    /** Deletes audit records older than the retention; what a server does every minute. */
    public int expireAudit(java.time.Duration retention) {
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
