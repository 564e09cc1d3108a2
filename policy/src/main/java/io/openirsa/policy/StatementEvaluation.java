package io.openirsa.policy;

import java.util.List;

/**
 * How one statement fared against a request: it applies, or the first thing that kept it from applying.
 *
 * @param mismatch why the statement does not apply (null when it applies)
 * @param failedCondition the condition that did not hold, when that was the reason
 * @param requestValues the request's values for that condition's key (null when absent)
 */
public record StatementEvaluation(Statement statement, boolean applies, String mismatch,
                                  Condition failedCondition, List<String> requestValues) {

    static StatementEvaluation applies(Statement s) {
        return new StatementEvaluation(s, true, null, null, null);
    }

    static StatementEvaluation mismatch(Statement s, String why) {
        return new StatementEvaluation(s, false, why, null, null);
    }

    static StatementEvaluation failedCondition(Statement s, Condition c, List<String> requestValues) {
        String got = requestValues == null ? "the request has no `" + c.key() + "`" : "request value " + quoted(requestValues);
        String why = "condition " + c.operatorName() + " on `" + c.key() + "` " + quoted(c.values()) + " does not hold: " + got;
        return new StatementEvaluation(s, false, why, c, requestValues);
    }

    private static String quoted(List<String> values) {
        return values.size() == 1 ? "`" + values.get(0) + "`" : values.stream().map(v -> "`" + v + "`").toList().toString();
    }

    public String describe() {
        return statement.label() + " " + statement.effect() + (applies ? " applies" : ": " + mismatch);
    }
}
