package io.openirsa.policy;

/** Where an element is in the document text: 1-based lines and columns, the end just past the closing brace. */
public record Span(int startLine, int startColumn, int endLine, int endColumn) {
    static final Span UNKNOWN = new Span(0, 0, 0, 0);
}
