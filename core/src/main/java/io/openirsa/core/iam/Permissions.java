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

    public Permissions(Store store, CompiledPolicies compiled) {
        this.store = store;
        this.compiled = compiled;
    }

    public void check(Caller caller, String action, String resource) {
        if (caller.isRoot()) {
            return;
        }
        var session = caller.session();
        List<String> documents = new ArrayList<>();
        for (String arn : store.attachedPolicies(session.accountId(), session.roleName())) {
            ManagedPolicies.document(arn).ifPresent(documents::add);
        }
        for (String name : store.rolePolicyNames(session.accountId(), session.roleName())) {
            store.rolePolicy(session.accountId(), session.roleName(), name).ifPresent(documents::add);
        }
        RequestContext context = RequestContext.builder()
                .principal(new RequestPrincipal(PrincipalType.AWS, Set.of(caller.arn(), session.roleArn()), caller.accountId()))
                .action(action)
                .resource(resource)
                .put("aws:PrincipalArn", session.roleArn())
                .put("aws:PrincipalAccount", caller.accountId())
                .put("aws:userid", caller.userId())
                .build();
        boolean allowed = false;
        for (String doc : documents) {
            Decision d = compiled.compile(doc, PolicyKind.IDENTITY).evaluate(context);
            if (d.outcome() == Decision.Outcome.EXPLICIT_DENY) {
                allowed = false;
                break;
            }
            allowed |= d.allowed();
        }
        if (!allowed) {
            throw AwsException.accessDenied("User: " + caller.arn() + " is not authorized to perform: " + action
                    + " on resource: " + resource + (documents.isEmpty() ? " because no identity-based policy allows the " + action + " action" : ""));
        }
    }
}
