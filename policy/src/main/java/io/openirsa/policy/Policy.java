package io.openirsa.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled IAM policy document. Parse once when the document is stored, evaluate per request:
 * <pre>{@code
 * Policy trust = Policy.parse(json, PolicyKind.TRUST);
 * Decision d = trust.evaluate(context);
 * }</pre>
 */
public final class Policy {
    private final String document;
    private final PolicyKind kind;
    private final String version;
    private final List<Statement> statements;

    Policy(String document, PolicyKind kind, String version, List<Statement> statements) {
        this.document = document;
        this.kind = kind;
        this.version = version;
        this.statements = List.copyOf(statements);
    }

    /**
     * Parses and validates a document as IAM does for the given kind.
     *
     * @throws MalformedPolicyException with IAM's message when the document is not acceptable
     */
    public static Policy parse(String document, PolicyKind kind) {
        return new PolicyParser(kind).parse(document);
    }

    public Decision evaluate(RequestContext request) {
        List<StatementEvaluation> results = new ArrayList<>(statements.size());
        for (Statement s : statements) {
            results.add(s.evaluate(request, kind));
        }
        return Decision.of(results);
    }

    /** The document exactly as it was given. */
    public String document() {
        return document;
    }

    public PolicyKind kind() {
        return kind;
    }

    /** The Version element, or null when absent. */
    public String version() {
        return version;
    }

    public List<Statement> statements() {
        return statements;
    }
}
