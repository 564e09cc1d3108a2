package io.openirsa.policy;

import java.util.List;

/**
 * {@code ${key}} substitution in policy values (Version 2012-10-17 only), with a default
 * ({@code ${aws:username, 'x'}}) and the escapes {@code ${*}}, {@code ${?}}, {@code ${$}}.
 */
final class PolicyVariables {
    /** Stand-ins for a literal '*' or '?' in a pattern: policy text is limited to U+0000-U+00FF. */
    static final char LITERAL_STAR = '\uE000';
    static final char LITERAL_QUESTION = '\uE001';

    private PolicyVariables() {
    }

    /**
     * @param forPattern when the result is a wildcard pattern, substituted text and escapes must stay literal
     * @return the value with variables replaced, or null if a variable has no value and no default
     */
    static String substitute(String value, RequestContext context, boolean forPattern) {
        int open = value.indexOf("${");
        if (open < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder();
        int pos = 0;
        while (open >= 0) {
            int close = value.indexOf('}', open);
            if (close < 0) {
                break;
            }
            out.append(value, pos, open);
            String body = value.substring(open + 2, close);
            String replacement = switch (body) {
                case "*" -> forPattern ? String.valueOf(LITERAL_STAR) : "*";
                case "?" -> forPattern ? String.valueOf(LITERAL_QUESTION) : "?";
                case "$" -> "$";
                default -> resolve(body, context);
            };
            if (replacement == null) {
                return null;
            }
            if (forPattern) {
                replacement = replacement.replace('*', LITERAL_STAR).replace('?', LITERAL_QUESTION);
            }
            out.append(replacement);
            pos = close + 1;
            open = value.indexOf("${", pos);
        }
        out.append(value.substring(pos));
        return out.toString();
    }

    private static String resolve(String body, RequestContext context) {
        String key = body;
        String fallback = null;
        int comma = body.indexOf(',');
        if (comma >= 0) {
            key = body.substring(0, comma).trim();
            String rest = body.substring(comma + 1).trim();
            if (rest.length() >= 2 && rest.startsWith("'") && rest.endsWith("'")) {
                fallback = rest.substring(1, rest.length() - 1);
            }
        }
        List<String> values = context.values(key);
        if (values != null && values.size() == 1) {
            return values.get(0);
        }
        return fallback; // multi-valued keys cannot be variables
    }
}
