package io.openirsa.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * A glob with IAM's two wildcards: {@code *} (any run, also empty) and {@code ?} (one character).
 * Every other character is literal: IAM has no regular expressions.
 *
 * <p>The pattern is split once, at compile time, into the literal segments between stars. Matching
 * anchors the first and last segment and finds the middle ones leftmost-first, which is correct for
 * globs and never backtracks. A middle segment without {@code ?} is found with Knuth-Morris-Pratt,
 * so matching is linear in value and pattern length: a long literal between stars costs no more
 * than reading it (a scan per position made a 40,000-character one take 2.95 s). A segment with
 * {@code ?} is scanned position by position; its cost is bounded by the request's and the policy's
 * size limits (docs/security.md).
 */
public final class Wildcard {
    private final String pattern;
    private final boolean ignoreCase;
    private final boolean hasStar;
    private final String[] segments; // literal runs between stars; may contain '?'
    /** Per middle segment without '?': its KMP failure table; null for a segment with '?'. */
    private final int[][] failures;

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
        this.failures = new int[segments.length][];
        for (int s = 1; s < segments.length - 1; s++) {
            if (segments[s].indexOf('?') < 0) {
                failures[s] = failure(segments[s]);
            }
        }
    }

    /** KMP's failure table: for each prefix, the length of its longest proper border. */
    private int[] failure(String seg) {
        int[] f = new int[seg.length()];
        int k = 0;
        for (int i = 1; i < seg.length(); i++) {
            while (k > 0 && !same(seg.charAt(k), literal(seg.charAt(i)))) {
                k = f[k - 1];
            }
            if (same(seg.charAt(k), literal(seg.charAt(i)))) {
                k++;
            }
            f[i] = k;
        }
        return f;
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
            int found = failures[s] != null ? findKmp(value, segments[s], failures[s], pos, end) : find(value, segments[s], pos, end);
            if (found < 0) {
                return false;
            }
            pos = found + segments[s].length();
        }
        return true;
    }

    /** As {@link #find}, for a segment without '?', in time linear in (limit - from) + seg.length. */
    private int findKmp(String value, String seg, int[] failure, int from, int limit) {
        if (seg.isEmpty()) {
            return from <= limit ? from : -1;
        }
        int k = 0;
        for (int i = from; i < limit; i++) {
            char v = value.charAt(i);
            while (k > 0 && !same(seg.charAt(k), v)) {
                k = failure[k - 1];
            }
            if (same(seg.charAt(k), v)) {
                k++;
            }
            if (k == seg.length()) {
                return i - k + 1;
            }
        }
        return -1;
    }

    /** Whether a pattern character (not '?') matches a value character: the one relation regionMatches uses too. */
    private boolean same(char p, char v) {
        p = literal(p);
        return p == v || (ignoreCase && Character.toLowerCase(p) == Character.toLowerCase(v));
    }

    /** The character a pattern character stands for: an escaped star or question mark is itself. */
    private static char literal(char p) {
        return p == PolicyVariables.LITERAL_STAR ? '*' : p == PolicyVariables.LITERAL_QUESTION ? '?' : p;
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
            if (p != '?' && !same(p, value.charAt(offset + j))) {
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
