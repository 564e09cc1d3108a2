package io.openirsa.policy;

import java.util.List;

/**
 * How one statement fared against a request: it applies, or the first thing that kept it from applying.
 *
 * @param mismatch why the statement does not apply, or null when it applies
 */
public record StatementEvaluation(Statement statement, Mismatch mismatch) {

    static StatementEvaluation applies(Statement s) {
        return new StatementEvaluation(s, null);
    }

    static StatementEvaluation mismatch(Statement s, Mismatch why) {
        return new StatementEvaluation(s, why);
    }

    public boolean applies() {
        return mismatch == null;
    }

    /** The condition that did not hold, when that was the reason; else null. */
    public Condition failedCondition() {
        return mismatch instanceof Mismatch.FailedCondition f ? f.condition() : null;
    }

    /** The request's values for the failed condition's key (null when absent, or when no condition failed). */
    public List<String> requestValues() {
        return mismatch instanceof Mismatch.FailedCondition f ? f.requestValues() : null;
    }

    public String describe() {
        return statement.label() + " " + statement.effect() + (mismatch == null ? " applies" : ": " + mismatch.describe());
    }
}
