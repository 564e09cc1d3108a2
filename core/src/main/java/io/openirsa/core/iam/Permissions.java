package io.openirsa.core.iam;

import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.core.CompiledPolicies;
import io.openirsa.core.store.Store;
import io.openirsa.policy.Decision;
import io.openirsa.policy.PolicyKind;
import io.openirsa.policy.RequestContext;
import io.openirsa.policy.RequestPrincipal;
import io.openirsa.policy.PrincipalType;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Whether a caller may call an API action on a resource. The account's long-term administrator key
 * may do anything in its account; a role session may do what its role's identity policies (attached
 * and inline) allow, and an explicit Deny in any of them wins.
 */
public final class Permissions {
    private final Store store;
    private final CompiledPolicies compiled;
    private final PolicyCatalog catalog;

    public Permissions(Store store, CompiledPolicies compiled, PolicyCatalog catalog) {
        this.store = store;
        this.compiled = compiled;
        this.catalog = catalog;
    }

    public void check(Caller caller, String action, String resource) {
        if (caller.isRoot()) {
            return;
        }
        var session = caller.session();
        List<String> documents = roleDocuments(session.accountId(), session.roleName());
        RequestContext.Builder builder = RequestContext.builder()
                .principal(new RequestPrincipal(PrincipalType.AWS, Set.of(caller.arn(), session.roleArn()), caller.accountId()))
                .action(action)
                .resource(resource)
                .put("aws:PrincipalArn", session.roleArn())
                .put("aws:PrincipalAccount", caller.accountId())
                .put("aws:userid", caller.userId());
        session.tags().forEach((k, v) -> builder.put("aws:PrincipalTag/" + k, v));
        RequestContext context = builder.build();
        boolean allowed = allows(documents, context);
        if (allowed && session.hasSessionPolicy()) {
            // Session policies narrow what the role allows; they never grant.
            List<String> sessionDocs = new ArrayList<>();
            if (session.sessionPolicy() != null) {
                sessionDocs.add(session.sessionPolicy());
            }
            session.sessionPolicyArns().forEach(arn -> catalog.defaultDocument(session.accountId(), arn).ifPresent(sessionDocs::add));
            allowed = allows(sessionDocs, context);
        }
        if (!allowed) {
            throw AwsException.accessDenied("User: " + caller.arn() + " is not authorized to perform: " + action
                    + " on resource: " + resource + (documents.isEmpty() ? " because no identity-based policy allows the " + action + " action" : ""));
        }
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

    /** Some document allows and none denies explicitly. */
    private boolean allows(List<String> documents, RequestContext context) {
        boolean allowed = false;
        for (String doc : documents) {
            Decision d = compiled.compile(doc, PolicyKind.IDENTITY).evaluate(context);
            if (d.outcome() == Decision.Outcome.EXPLICIT_DENY) {
                return false;
            }
            allowed |= d.allowed();
        }
        return allowed;
    }
}
