package io.openirsa.core.iam;

import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.core.CompiledPolicies;
import io.openirsa.core.Constraints;
import io.openirsa.core.Page;
import io.openirsa.core.model.Role;
import io.openirsa.core.store.Store;
import io.openirsa.policy.Condition;
import io.openirsa.policy.Decision;
import io.openirsa.policy.Effect;
import io.openirsa.policy.Policy;
import io.openirsa.policy.PolicyKind;
import io.openirsa.policy.RequestContext;
import io.openirsa.policy.Span;
import io.openirsa.policy.Statement;
import io.openirsa.policy.StatementEvaluation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * IAM's policy simulator: SimulatePrincipalPolicy (a role's policies, or a role session's, with its
 * session policies: beyond AWS) and SimulateCustomPolicy (documents given in the call). Each action
 * and resource gets a decision with the statements that made it and their positions.
 */
public final class Simulator {
    private static final Pattern ROLE = Pattern.compile("arn:aws:iam::(\\d{12}):role/(?:.*/)?([\\w+=,.@-]+)");
    private static final Pattern SESSION = Pattern.compile("arn:aws:sts::(\\d{12}):assumed-role/([\\w+=,.@-]+)/([\\w+=,.@-]+)");

    private final Store store;
    private final CompiledPolicies compiled;
    private final PolicyCatalog catalog;
    private final Permissions permissions;

    public Simulator(Store store, CompiledPolicies compiled, PolicyCatalog catalog, Permissions permissions) {
        this.store = store;
        this.compiled = compiled;
        this.catalog = catalog;
        this.permissions = permissions;
    }

    /** A policy taking part, and how AWS names its source. */
    record Source(String id, String type, Policy policy) {
    }

    public record Position(int line, int column) {
    }

    public record MatchedStatement(String sourcePolicyId, String sourcePolicyType, Position start, Position end) {
    }

    /** @param decision allowed, explicitDeny or implicitDeny */
    public record Result(String action, String resource, String decision, List<MatchedStatement> matched, List<String> missingContextValues) {
    }

    /** A context entry of the request: a key with its values (ContextKeyType is taken as given by the values). */
    public record ContextEntry(String key, List<String> values) {
    }

    /** Which page of the results a call asks for: IAM's MaxItems (1-1000, default 100) and Marker. */
    public record Paging(Integer maxItems, String marker) {
        public static final Paging FIRST = new Paging(null, null);
    }

    public Page<Result> simulatePrincipal(Caller caller, String sourceArn, List<String> extraPolicies, List<String> actions,
                                          List<String> resources, List<ContextEntry> context, Paging paging) {
        permissions.check(caller, "iam:SimulatePrincipalPolicy", sourceArn == null ? "*" : sourceArn);
        checkInputs(extraPolicies, actions, resources, context, paging);
        if (sourceArn == null) {
            throw AwsException.validation("1 validation error detected: Value null at 'policySourceArn' failed to satisfy constraint: Member must not be null");
        }
        List<Source> sources = new ArrayList<>();
        Matcher role = ROLE.matcher(sourceArn);
        Matcher session = SESSION.matcher(sourceArn);
        String account;
        String roleName;
        if (role.matches()) {
            account = role.group(1);
            roleName = role.group(2);
        } else if (session.matches()) {
            account = session.group(1);
            roleName = session.group(2);
        } else {
            throw new AwsException(AwsError.INVALID_INPUT, "Invalid ARN: " + sourceArn + " (a role ARN, or an assumed-role session ARN)");
        }
        if (!account.equals(caller.accountId())) {
            throw AwsException.noSuchEntity("Entity " + sourceArn + " was not found.");
        }
        Role r = store.role(account, roleName).orElseThrow(() -> AwsException.noSuchEntity("Role " + roleName + " was not found."));
        for (String arn : store.attachedPolicies(account, r.name())) {
            catalog.defaultDocument(account, arn).ifPresent(doc -> sources.add(new Source(catalog.name(arn),
                    arn.startsWith(ManagedPolicies.PREFIX) ? "aws-managed" : "user-managed", compiled.compile(doc, PolicyKind.IDENTITY))));
        }
        for (String name : store.rolePolicyNames(account, r.name())) {
            store.rolePolicy(account, r.name(), name).ifPresent(doc -> sources.add(new Source(name, "role", compiled.compile(doc, PolicyKind.IDENTITY))));
        }
        addInputs(sources, extraPolicies);
        List<Source> sessionSources = new ArrayList<>();
        if (session.matches() && caller.session() != null && caller.arn().equals(sourceArn)) {
            // Beyond AWS: simulating one's own session includes its session policies, which only narrow.
            var s = caller.session();
            if (s.sessionPolicy() != null) {
                sessionSources.add(new Source("SessionPolicy", "none", compiled.compile(s.sessionPolicy(), PolicyKind.IDENTITY)));
            }
            for (String arn : s.sessionPolicyArns()) {
                catalog.defaultDocument(account, arn).ifPresent(doc -> sessionSources.add(new Source(catalog.name(arn), "none",
                        compiled.compile(doc, PolicyKind.IDENTITY))));
            }
        }
        return simulate(sources, sessionSources, actions, resources, context, paging);
    }

    public Page<Result> simulateCustom(Caller caller, List<String> policies, List<String> actions, List<String> resources,
                                       List<ContextEntry> context, Paging paging) {
        permissions.check(caller, "iam:SimulateCustomPolicy", "*");
        checkInputs(policies, actions, resources, context, paging);
        if (policies.isEmpty()) {
            throw AwsException.validation("1 validation error detected: Value null at 'policyInputList' failed to satisfy constraint: Member must not be null");
        }
        List<Source> sources = new ArrayList<>();
        addInputs(sources, policies);
        return simulate(sources, List.of(), actions, resources, context, paging);
    }

    /** IAM's constraints on the simulator's inputs (its API model), so no call is larger than IAM would take. */
    private static void checkInputs(List<String> policies, List<String> actions, List<String> resources, List<ContextEntry> context, Paging paging) {
        Constraints c = new Constraints().range("maxItems", paging.maxItems(), 1, 1000).length("marker", paging.marker(), 1, 320);
        policies.forEach(d -> c.length("policyInputList.member", d, 1, 131072));
        actions.forEach(a -> c.length("actionNames.member", a, 3, 128));
        resources.forEach(r -> c.length("resourceArns.member", r, 1, 2048));
        context.forEach(e -> c.length("contextEntries.member.contextKeyName", e.key(), 5, 256));
        c.check();
    }

    private void addInputs(List<Source> sources, List<String> documents) {
        for (int i = 0; i < documents.size(); i++) {
            sources.add(new Source("PolicyInputList." + (i + 1), "none", compiled.compile(documents.get(i), PolicyKind.IDENTITY)));
        }
    }

    /**
     * The page of results the paging asks for: result {@code i} is action {@code i / resources} on
     * resource {@code i % resources}, and only the page's results are computed, so a call with many
     * actions and resources costs at most MaxItems evaluations and answers.
     */
    private Page<Result> simulate(List<Source> sources, List<Source> sessionSources, List<String> actions, List<String> resources,
                                  List<ContextEntry> context, Paging paging) {
        if (actions.isEmpty()) {
            throw AwsException.validation("1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null");
        }
        List<String> rs = resources.isEmpty() ? List.of("*") : resources;
        long total = (long) actions.size() * rs.size();
        long first = 0;
        if (paging.marker() != null) {
            try {
                first = Long.parseLong(new String(Base64.getUrlDecoder().decode(paging.marker()), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                first = -1;
            }
            if (first <= 0 || first >= total) {
                throw AwsException.invalidInput("Invalid Marker.");
            }
        }
        long end = Math.min(total, first + (paging.maxItems() == null ? 100 : paging.maxItems()));
        List<Result> results = new ArrayList<>();
        for (long i = first; i < end; i++) {
            String action = actions.get((int) (i / rs.size()));
            String resource = rs.get((int) (i % rs.size()));
            {
                RequestContext.Builder b = RequestContext.builder().action(action).resource(resource);
                for (ContextEntry e : context) {
                    b.putAll(e.key(), e.values());
                }
                RequestContext request = b.build();
                Outcome identity = evaluate(sources, request);
                String decision = identity.decision;
                List<MatchedStatement> matched = identity.matched;
                if (decision.equals("allowed") && !sessionSources.isEmpty()) {
                    Outcome narrowed = evaluate(sessionSources, request);
                    if (!narrowed.decision.equals("allowed")) {
                        decision = narrowed.decision;
                        matched = narrowed.matched;
                    }
                }
                Set<String> missing = new LinkedHashSet<>();
                for (Source s : sources) {
                    for (Statement st : s.policy.statements()) {
                        for (Condition c : st.conditions()) {
                            if (request.values(c.key()) == null) {
                                missing.add(c.key());
                            }
                        }
                    }
                }
                results.add(new Result(action, resource, decision, matched, List.copyOf(missing)));
            }
        }
        return new Page<>(results, end < total ? Base64.getUrlEncoder().withoutPadding().encodeToString(
                Long.toString(end).getBytes(StandardCharsets.UTF_8)) : null);
    }

    private record Outcome(String decision, List<MatchedStatement> matched) {
    }

    private static Outcome evaluate(List<Source> sources, RequestContext request) {
        List<MatchedStatement> allows = new ArrayList<>();
        List<MatchedStatement> denies = new ArrayList<>();
        for (Source s : sources) {
            Decision d = s.policy.evaluate(request);
            for (StatementEvaluation e : d.statements()) {
                if (e.applies()) {
                    Span span = e.statement().span();
                    MatchedStatement m = new MatchedStatement(s.id, s.type, new Position(span.startLine(), span.startColumn()),
                            new Position(span.endLine(), span.endColumn()));
                    (e.statement().effect() == Effect.Deny ? denies : allows).add(m);
                }
            }
        }
        if (!denies.isEmpty()) {
            return new Outcome("explicitDeny", denies); // only the deny statements are listed, as AWS lists them
        }
        return allows.isEmpty() ? new Outcome("implicitDeny", List.of()) : new Outcome("allowed", allows);
    }

}
