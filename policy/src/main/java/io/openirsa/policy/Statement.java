package io.openirsa.policy;

import java.util.List;

/**
 * One compiled statement. Exactly one of Action/NotAction is set; Principal/NotPrincipal and
 * Resource/NotResource as the policy kind requires.
 */
public record Statement(int index, String sid, Effect effect,
                        Principals principal, boolean notPrincipal,
                        List<Wildcard> actions, boolean notAction,
                        List<String> resources, boolean notResource,
                        List<Condition> conditions, boolean variables, Span span) {

    public Statement {
        actions = List.copyOf(actions);
        resources = resources == null ? null : List.copyOf(resources);
        conditions = List.copyOf(conditions);
    }

    /** Where this statement is, for messages: {@code Statement[0]} or {@code Statement[0] (Sid Foo)}. */
    public String label() {
        return sid == null || sid.isEmpty() ? "Statement[" + index + "]" : "Statement[" + index + "] (Sid " + sid + ")";
    }

    StatementEvaluation evaluate(RequestContext request, PolicyKind kind) {
        if (principal != null && kind == PolicyKind.TRUST) {
            boolean named = principal.matches(request.principal());
            if (named == notPrincipal) {
                return StatementEvaluation.mismatch(this, new Mismatch.Principal(notPrincipal));
            }
        }
        boolean actionNamed = actions.stream().anyMatch(a -> a.matches(request.action()));
        if (actionNamed == notAction) {
            return StatementEvaluation.mismatch(this, new Mismatch.Action(request.action(), notAction));
        }
        if (resources != null && request.resource() != null) {
            if (notResource && variables && resources.stream().anyMatch(r -> resourcePattern(r, request) == null)) {
                // IAM: an attempt to match a variable without a value fails, so NotResource names nothing it can be outside of.
                return StatementEvaluation.mismatch(this, new Mismatch.UnresolvedVariable());
            }
            boolean resourceNamed = resources.stream().anyMatch(r -> resourceMatches(r, request));
            if (resourceNamed == notResource) {
                return StatementEvaluation.mismatch(this, new Mismatch.Resource(request.resource(), notResource));
            }
        }
        for (Condition condition : conditions) {
            Condition.Result result = condition.evaluate(request);
            if (!result.holds()) {
                return StatementEvaluation.mismatch(this, new Mismatch.FailedCondition(condition, result.requestValues()));
            }
        }
        return StatementEvaluation.applies(this);
    }

    private boolean resourceMatches(String pattern, RequestContext request) {
        String p = resourcePattern(pattern, request);
        return p != null && Wildcard.compile(p).matches(request.resource());
    }

    /**
     * The Resource entry with its policy variables replaced, or null when one has no value. Only the
     * part after the ARN's fifth colon is substituted: "You can't use a variable to replace parts of
     * the ARN before the fifth colon" (IAM User Guide), so a variable there stays text that matches no ARN.
     */
    private String resourcePattern(String pattern, RequestContext request) {
        if (!variables) {
            return pattern;
        }
        int colon = -1;
        for (int i = 0; i < 5; i++) {
            colon = pattern.indexOf(':', colon + 1);
            if (colon < 0) {
                return pattern; // not an ARN with a resource part: nothing is substituted
            }
        }
        String rest = PolicyVariables.substitute(pattern.substring(colon + 1), request, true);
        return rest == null ? null : pattern.substring(0, colon + 1) + rest;
    }
}
