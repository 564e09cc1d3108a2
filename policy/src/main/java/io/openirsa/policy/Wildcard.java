package io.openirsa.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * A glob with IAM's two wildcards: {@code *} (any run, also empty) and {@code ?} (one character).
 * Every other character is literal: IAM has no regular expressions.
 *
 * <p>The pattern is split once, at compile time, into the literal segments between stars. Matching
 * anchors the first and last segment and finds the middle ones leftmost-first, which is correct for
 * globs and never backtracks: the cost is at most (value length x pattern length), so patterns like
 * {@code *a*a*a*a*b} cannot blow up on long values.
 */
public final class Wildcard {
    private final String pattern;
    private final boolean ignoreCase;
    private final boolean hasStar;
    private final String[] segments; // literal runs between stars; may contain '?'

    private Wildcard(String pattern, boolean ignoreCase) {
        this.pattern = pattern;
        this.ignoreCase = ignoreCase;
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) == '*') {
                parts.add(pattern.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(pattern.substring(start));
        this.hasStar = parts.size() > 1;
        this.segments = parts.toArray(String[]::new);
    }

    public static Wildcard compile(String pattern) {
        return new Wildcard(pattern, false);
    }

    public static Wildcard compileIgnoreCase(String pattern) {
        return new Wildcard(pattern, true);
    }

    public String pattern() {
        return pattern;
    }

    public boolean matches(String value) {
        if (!hasStar) {
            return value.length() == segments[0].length() && regionMatches(value, 0, segments[0]);
        }
        String first = segments[0];
        String last = segments[segments.length - 1];
        if (value.length() < first.length() + last.length()) {
            return false;
        }
        if (!regionMatches(value, 0, first)) {
            return false;
        }
        int end = value.length() - last.length();
        if (!regionMatches(value, end, last)) {
            return false;
        }
        int pos = first.length();
        for (int s = 1; s < segments.length - 1; s++) {
            int found = find(value, segments[s], pos, end);
            if (found < 0) {
                return false;
            }
            pos = found + segments[s].length();
        }
        return true;
    }

    /** Leftmost index in [from, limit - seg.length] where seg matches, or -1. */
    private int find(String value, String seg, int from, int limit) {
        for (int i = from; i + seg.length() <= limit; i++) {
            if (regionMatches(value, i, seg)) {
                return i;
            }
        }
        return -1;
    }

    private boolean regionMatches(String value, int offset, String seg) {
        for (int j = 0; j < seg.length(); j++) {
            char p = seg.charAt(j);
            if (p == '?') {
                continue;
            }
            if (p == PolicyVariables.LITERAL_STAR) {
                p = '*';
            } else if (p == PolicyVariables.LITERAL_QUESTION) {
                p = '?';
            }
            char v = value.charAt(offset + j);
            if (p != v && !(ignoreCase && Character.toLowerCase(p) == Character.toLowerCase(v))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
