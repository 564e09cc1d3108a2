package io.openirsa.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One key under one operator of a Condition block, e.g. {@code "StringEquals": {"x:sub": ["a","b"]}},
 * compiled when the policy is parsed.
 */
public final class Condition {

    public enum Qualifier { ForAnyValue, ForAllValues }

    /** The outcome and the request values it was decided on (null when the key was absent). */
    public record Result(boolean holds, List<String> requestValues) {
    }

    private final String operatorName;
    private final ConditionOperator operator;
    private final Qualifier qualifier;
    private final boolean ifExists;
    private final String key;
    private final List<String> values;
    private final boolean resolvePerRequest;
    private final List<Predicate<String>> matchers;

    /**
     * @param operatorName the operator as written (with qualifier and IfExists)
     * @param variables whether values may hold policy variables (Version 2012-10-17)
     */
    Condition(String operatorName, ConditionOperator operator, Qualifier qualifier, boolean ifExists,
              String key, List<String> values, boolean variables) {
        this.operatorName = operatorName;
        this.operator = operator;
        this.qualifier = qualifier;
        this.ifExists = ifExists;
        this.key = key;
        this.values = List.copyOf(values);
        this.resolvePerRequest = variables && operator.acceptsVariables()
                && this.values.stream().anyMatch(v -> v.contains("${"));
        this.matchers = resolvePerRequest || operator == ConditionOperator.Null
                ? List.of()
                : this.values.stream().map(operator::matcher).toList();
    }

    public String operatorName() {
        return operatorName;
    }

    public ConditionOperator operator() {
        return operator;
    }

    public Qualifier qualifier() {
        return qualifier;
    }

    public boolean ifExists() {
        return ifExists;
    }

    public String key() {
        return key;
    }

    public List<String> values() {
        return values;
    }

    Result evaluate(RequestContext context) {
        List<String> request = context.values(key);
        if (operator == ConditionOperator.Null) {
            boolean absent = request == null || request.isEmpty();
            return new Result(values.stream().anyMatch(v -> Boolean.parseBoolean(v) == absent), request);
        }
        boolean missing = request == null || (qualifier != null && request.isEmpty());
        if (missing) {
            boolean holds;
            if (qualifier == Qualifier.ForAllValues) {
                holds = true;                     // vacuously true: the reason to pair it with Null
            } else if (qualifier == Qualifier.ForAnyValue) {
                holds = false;
            } else {
                holds = ifExists || operator.negated();
            }
            return new Result(holds, request);
        }
        List<Predicate<String>> policy = resolvePerRequest ? resolve(context) : matchers;
        if (policy.isEmpty()) {
            // Every value is a policy variable without a value here: IAM says any attempt to match fails,
            // negated operators included (else StringNotLike on a missing tag would hold).
            return new Result(false, request);
        }
        boolean holds;
        if (qualifier == Qualifier.ForAllValues || (qualifier == null && operator.negated())) {
            holds = request.stream().allMatch(v -> holdsFor(v, policy));
        } else {
            holds = request.stream().anyMatch(v -> holdsFor(v, policy));
        }
        return new Result(holds, request);
    }

    /** One request value against all policy values: OR for positive operators, NOR for negated ones. */
    private boolean holdsFor(String requestValue, List<Predicate<String>> policy) {
        boolean any = false;
        for (Predicate<String> p : policy) {
            if (p.test(requestValue)) {
                any = true;
                break;
            }
        }
        return operator.negated() != any;
    }

    private List<Predicate<String>> resolve(RequestContext context) {
        boolean pattern = operator.kind() == ConditionOperator.Kind.STRING_LIKE || operator.kind() == ConditionOperator.Kind.ARN;
        List<Predicate<String>> out = new ArrayList<>(values.size());
        for (String v : values) {
            String resolved = PolicyVariables.substitute(v, context, pattern);
            if (resolved != null) {
                out.add(operator.matcher(resolved)); // an unresolvable variable makes that value match nothing
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return operatorName + " " + key + " " + values;
    }
}
