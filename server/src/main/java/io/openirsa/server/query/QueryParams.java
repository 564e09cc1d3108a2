package io.openirsa.server.query;

import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parameters of an AWS query-protocol request: form fields of the body and of the query
 * string, with lists as {@code Name.member.N} and maps as {@code Name.member.N.Key/Value}.
 */
public final class QueryParams {
    /**
     * Parameters one request may carry: more than any call needs (50 tags are 100, a large simulation a
     * few hundred). A 1 MB body holds some 140,000 short ones, each a map entry and then a copy in the
     * audit record's parameters: 100 such callers at once ran a 96 MiB server out of memory, unsigned.
     */
    static final int MAX_PARAMETERS = 1000;

    private final Map<String, String> values;

    private QueryParams(Map<String, String> values) {
        this.values = values;
    }

    /** Parses form-encoded text ('+' is a space here, as in HTML forms). The first value of a name wins. */
    public static QueryParams parse(String... encodedForms) {
        Map<String, String> values = new LinkedHashMap<>();
        int pairs = 0;
        for (String form : encodedForms) {
            if (form == null || form.isEmpty()) {
                continue;
            }
            // By offsets, not split("&"): each value is copied once (a token's 1 KB was copied twice).
            for (int start = 0, end; start < form.length(); start = end + 1) {
                end = form.indexOf('&', start);
                if (end < 0) {
                    end = form.length();
                }
                if (end == start) {
                    continue;
                }
                if (++pairs > MAX_PARAMETERS) {
                    throw AwsException.validation("1 validation error detected: the request has more than " + MAX_PARAMETERS + " parameters");
                }
                int eq = form.indexOf('=', start, end); // within the pair: a search to the form's end would make many pairs quadratic
                try {
                    String k = decode(form.substring(start, eq < 0 ? end : eq));
                    String v = eq < 0 ? "" : decode(form.substring(eq + 1, end));
                    values.putIfAbsent(k, v);
                } catch (IllegalArgumentException e) {
                    throw new AwsException(AwsError.MALFORMED_QUERY_STRING, "The request's parameters are not well-formed URL encoding.");
                }
            }
        }
        return new QueryParams(values);
    }

    /** URLDecoder copies every character, even of a token with nothing to decode (3 % of an exchange). */
    private static String decode(String s) {
        return s.indexOf('%') < 0 && s.indexOf('+') < 0 ? s : URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    public String get(String name) {
        return values.get(name);
    }

    /** Every parameter, in the order received. */
    public Map<String, String> all() {
        return Collections.unmodifiableMap(values);
    }

    /** An integer parameter, or null when absent. */
    public Integer integer(String name, String field) {
        String v = values.get(name);
        if (v == null) {
            return null;
        }
        try {
            return Integer.valueOf(v.trim());
        } catch (NumberFormatException e) {
            throw AwsException.validation("1 validation error detected: Value '" + v + "' at '" + field
                    + "' failed to satisfy constraint: Member must be a number");
        }
    }

    /** {@code Name.member.1}, {@code Name.member.2}, ... in index order. */
    public List<String> list(String name) {
        TreeMap<Integer, String> byIndex = new TreeMap<>();
        String prefix = name + ".member.";
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                Integer i = index(k.substring(prefix.length()));
                if (i != null) {
                    byIndex.put(i, v);
                }
            }
        });
        return new ArrayList<>(byIndex.values());
    }

    /** {@code Name.member.N.Key} / {@code Name.member.N.Value} pairs (IAM tags). */
    public Map<String, String> tags(String name) {
        TreeMap<Integer, String[]> byIndex = new TreeMap<>();
        String prefix = name + ".member.";
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                String rest = k.substring(prefix.length());
                int dot = rest.indexOf('.');
                Integer i = dot < 0 ? null : index(rest.substring(0, dot));
                if (i != null) {
                    String[] kv = byIndex.computeIfAbsent(i, x -> new String[2]);
                    switch (rest.substring(dot + 1)) {
                        case "Key" -> kv[0] = v;
                        case "Value" -> kv[1] = v;
                        default -> { }
                    }
                }
            }
        });
        Map<String, String> tags = new LinkedHashMap<>();
        for (String[] kv : byIndex.values()) {
            if (kv[0] == null) {
                throw AwsException.validation("1 validation error detected: Value null at 'tags.member.key' failed to satisfy constraint: Member must not be null");
            }
            tags.put(kv[0], kv[1] == null ? "" : kv[1]);
        }
        return tags;
    }

    /** The values of {@code Name.member.N.field} in index order (e.g. PolicyArns.member.N.arn). */
    public List<String> structList(String name, String field) {
        TreeMap<Integer, String> byIndex = new TreeMap<>();
        String prefix = name + ".member.";
        String suffix = "." + field;
        values.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.endsWith(suffix)) {
                Integer i = index(k.substring(prefix.length(), k.length() - suffix.length()));
                if (i != null) {
                    byIndex.put(i, v);
                }
            }
        });
        return new ArrayList<>(byIndex.values());
    }

    private static Integer index(String s) {
        if (s.isEmpty() || s.length() > 4 || !s.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Integer.valueOf(s);
    }
}
