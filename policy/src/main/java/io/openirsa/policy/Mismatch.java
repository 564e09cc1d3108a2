package io.openirsa.policy;

import java.util.List;

/**
 * Why a statement does not apply to a request: the first of its elements that did not match, as a
 * type a reader can switch on (a fix for a missing principal is not a fix for a failed condition).
 */
public sealed interface Mismatch {
    /** In the words of audit records and explanations. */
    String describe();

    record Principal(boolean notPrincipal) implements Mismatch {
        @Override
        public String describe() {
            return "principal is not " + (notPrincipal ? "outside NotPrincipal" : "named in Principal");
        }
    }

    record Action(String action, boolean notAction) implements Mismatch {
        @Override
        public String describe() {
            return "action `" + action + "` is not " + (notAction ? "outside NotAction" : "in Action");
        }
    }

    record Resource(String resource, boolean notResource) implements Mismatch {
        @Override
        public String describe() {
            return "resource `" + resource + "` is not " + (notResource ? "outside NotResource" : "in Resource");
        }
    }

    /** A NotResource entry's policy variable has no value in the request: IAM does not match it. */
    record UnresolvedVariable() implements Mismatch {
        @Override
        public String describe() {
            return "a NotResource entry has a policy variable without a value in the request";
        }
    }

    /**
     * @param requestValues the request's values for the condition's key, or null when it has none
     */
    record FailedCondition(Condition condition, List<String> requestValues) implements Mismatch {
        @Override
        public String describe() {
            String got = requestValues == null ? "the request has no `" + condition.key() + "`" : "request value " + quoted(requestValues);
            return "condition " + condition.operatorName() + " on `" + condition.key() + "` " + quoted(condition.values()) + " does not hold: " + got;
        }

        private static String quoted(List<String> values) {
            return values.size() == 1 ? "`" + values.get(0) + "`" : values.stream().map(v -> "`" + v + "`").toList().toString();
        }
    }
}
