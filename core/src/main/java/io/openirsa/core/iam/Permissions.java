package io.openirsa.core.iam;

import io.openirsa.core.AwsException;
import io.openirsa.core.DenialStage;
import io.openirsa.core.Caller;
import io.openirsa.core.CompiledPolicies;
import io.openirsa.core.store.Store;
import io.openirsa.policy.Decision;
import io.openirsa.policy.Decision.Outcome;
import io.openirsa.policy.PolicyKind;
import io.openirsa.policy.RequestContext;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Whether a caller may call an API action on a resource. The account's long-term administrator key
 * may do anything in its account; a role session may do what its role's identity policies (attached
 * and inline) allow, narrowed by its session policies; an explicit Deny in any of them wins.
 */
public final class Permissions {
    private final Store store;
    private final CompiledPolicies compiled;
    private final PolicyCatalog catalog;
    private final Clock clock;

    public Permissions(Store store, CompiledPolicies compiled, PolicyCatalog catalog, Clock clock) {
        this.store = store;
        this.compiled = compiled;
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * What the caller's own policies say of a request.
     *
     * @param identity what the role's identity policies decide (ALLOW for an account root)
     * @param session what the session policies decide, or null when the session has none
     */
    public record Verdict(Outcome identity, Outcome session) {
        static final Verdict ROOT = new Verdict(Outcome.ALLOW, null);

        /** Identity policies allow, session policies (if any) allow, and nothing denies. */
        public boolean allowed() {
            return identity == Outcome.ALLOW && (session == null || session == Outcome.ALLOW);
        }

        /** A Deny in an identity or session policy applies. */
        public boolean explicitlyDenied() {
            return identity == Outcome.EXPLICIT_DENY || session == Outcome.EXPLICIT_DENY;
        }

        /** The session policies do not stand in the way (none, or they allow). */
        public boolean sessionAllows() {
            return session == null || session == Outcome.ALLOW;
        }
    }

    public void check(Caller caller, String action, String resource) {
        check(caller, action, resource, b -> {
        });
    }

    /** @param keys request-specific condition keys (iam:PassedToService, say) on top of the global ones */
    public void check(Caller caller, String action, String resource, Consumer<RequestContext.Builder> keys) {
        Verdict verdict = evaluate(caller, action, resource, keys);
        if (!verdict.allowed()) {
            throw denied(caller, action, resource, verdict);
        }
    }

    /** AWS's AccessDenied for a verdict that does not allow, with its reason. */
    public static AwsException denied(Caller caller, String action, String resource, Verdict verdict) {
        String because;
        if (verdict.explicitlyDenied()) {
            because = " with an explicit deny in " + (verdict.identity() == Outcome.EXPLICIT_DENY ? "an identity-based policy" : "a session policy");
        } else if (verdict.identity() != Outcome.ALLOW) {
            because = " because no identity-based policy allows the " + action + " action";
        } else {
            because = " because no session policy allows the " + action + " action";
        }
        return AwsException.accessDenied("User: " + caller.arn() + " is not authorized to perform: " + action + " on resource: " + resource + because)
                .explained(DenialStage.AUTHORIZATION, "the " + (verdict.identity() == Outcome.ALLOW ? "session" : "identity-based")
                        + " policies of " + caller.arn() + " do not allow " + action + " on " + resource, "allow " + action + " on " + resource
                        + " in the role's policies" + (verdict.session() == null ? "" : " and the session policy"));
    }

    /** What the caller's identity and session policies decide, each on its own. */
    public Verdict evaluate(Caller caller, String action, String resource, Consumer<RequestContext.Builder> keys) {
        if (caller.isRoot()) {
            return Verdict.ROOT;
        }
        var session = caller.session();
        RequestContext.Builder builder = AuthorizationContext.of(caller, action, resource, clock.instant());
        keys.accept(builder);
        RequestContext context = builder.build();
        Outcome identity = outcome(roleDocuments(session.accountId(), session.roleName()), context);
        if (!session.hasSessionPolicy()) {
            return new Verdict(identity, null);
        }
        List<String> sessionDocs = new ArrayList<>();
        if (session.sessionPolicy() != null) {
            sessionDocs.add(session.sessionPolicy());
        }
        session.sessionPolicyArns().forEach(arn -> catalog.defaultDocument(session.accountId(), arn).ifPresent(sessionDocs::add));
        return new Verdict(identity, outcome(sessionDocs, context));
    }

    /** The identity policies of a role: its attached managed policies' default versions and its inline policies. */
    public List<String> roleDocuments(String accountId, String roleName) {
        List<String> documents = new ArrayList<>();
        for (String arn : store.attachedPolicies(accountId, roleName)) {
            catalog.defaultDocument(accountId, arn).ifPresent(documents::add);
        }
        for (String name : store.rolePolicyNames(accountId, roleName)) {
            store.rolePolicy(accountId, roleName, name).ifPresent(documents::add);
        }
        return documents;
    }

    /** An explicit Deny in any document wins; else an Allow in any; else the implicit deny. */
    private Outcome outcome(List<String> documents, RequestContext context) {
        boolean allowed = false;
        for (String doc : documents) {
            Decision d = compiled.compile(doc, PolicyKind.IDENTITY).evaluate(context);
            if (d.outcome() == Outcome.EXPLICIT_DENY) {
                return Outcome.EXPLICIT_DENY;
            }
            allowed |= d.allowed();
        }
        return allowed ? Outcome.ALLOW : Outcome.IMPLICIT_DENY;
    }
}
