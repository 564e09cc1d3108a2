package io.openirsa.policy;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The result of evaluating a policy, with every statement's part in it. */
public record Decision(Outcome outcome, List<StatementEvaluation> statements) {

    public enum Outcome { ALLOW, EXPLICIT_DENY, IMPLICIT_DENY }

    public Decision {
        statements = List.copyOf(statements);
    }

    static Decision of(List<StatementEvaluation> statements) {
        boolean deny = statements.stream().anyMatch(s -> s.applies() && s.statement().effect() == Effect.Deny);
        boolean allow = statements.stream().anyMatch(s -> s.applies() && s.statement().effect() == Effect.Allow);
        Outcome outcome = switch ((deny ? 2 : 0) + (allow ? 1 : 0)) {
            case 2, 3 -> Outcome.EXPLICIT_DENY; // an applicable Deny wins over any Allow
            case 1 -> Outcome.ALLOW;            // an Allow applies and nothing denies
            default -> Outcome.IMPLICIT_DENY;    // nothing applies: deny by default
        };
        return new Decision(outcome, statements);
    }

    public boolean allowed() {
        return outcome == Outcome.ALLOW;
    }

    /** The statement that decided: the applicable Deny, or the first applicable Allow. */
    public Optional<StatementEvaluation> deciding() {
        Effect wanted = outcome == Outcome.EXPLICIT_DENY ? Effect.Deny : Effect.Allow;
        return outcome == Outcome.IMPLICIT_DENY ? Optional.empty()
                : statements.stream().filter(s -> s.applies() && s.statement().effect() == wanted).findFirst();
    }

    /** A one-paragraph account of the decision, for logs, audit records and people. */
    public String explain() {
        return switch (outcome) {
            case ALLOW -> "allowed by " + deciding().map(s -> s.statement().label()).orElse("?");
            case EXPLICIT_DENY -> "explicitly denied by " + deciding().map(s -> s.statement().label()).orElse("?");
            case IMPLICIT_DENY -> statements.isEmpty() ? "no statement allows the request"
                    : "no statement allows the request: " + statements.stream()
                            .filter(s -> s.statement().effect() == Effect.Allow)
                            .map(StatementEvaluation::describe).collect(Collectors.joining("; "));
        };
    }
}
