package io.openirsa.core.sts;

import io.openirsa.core.AwsException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Session tags, and which of them are transitive (passed on to chained sessions). From a web
 * identity token they come in the claim
 * {@code "https://aws.amazon.com/tags": {"principal_tags": {"K": ["v"]}, "transitive_tag_keys": ["K"]}}.
 */
public record SessionTags(Map<String, String> tags, List<String> transitiveKeys) {
    public static final String CLAIM = "https://aws.amazon.com/tags";
    public static final SessionTags NONE = new SessionTags(Map.of(), List.of());
    static final int MAX_TAGS = 50;
    private static final Pattern KEY = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{1,128}");
    private static final Pattern VALUE = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{0,256}");

    public SessionTags {
        tags = Map.copyOf(tags);
        transitiveKeys = List.copyOf(transitiveKeys);
    }

    public boolean isEmpty() {
        return tags.isEmpty();
    }

    /**
     * Reads the tags claim as the token carries it (parsed JSON: maps and lists).
     *
     * @throws AwsException InvalidIdentityToken when the claim is not of the documented shape or breaks a limit
     */
    static SessionTags fromClaim(Object claim) {
        if (claim == null) {
            return NONE;
        }
        if (!(claim instanceof Map<?, ?> map)) {
            throw malformed("the claim must be an object");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        Object principalTags = map.get("principal_tags");
        if (principalTags != null) {
            if (!(principalTags instanceof Map<?, ?> pt)) {
                throw malformed("principal_tags must be an object");
            }
            for (Map.Entry<?, ?> e : pt.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (!(e.getValue() instanceof List<?> values) || values.size() != 1 || !(values.get(0) instanceof String value)) {
                    throw malformed("the value of tag `" + key + "` must be an array of one string");
                }
                if (!KEY.matcher(key).matches() || !VALUE.matcher(value).matches()) {
                    throw malformed("tag `" + key + "` breaks the key (1-128) or value (0-256) length or character rules");
                }
                if (tags.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(key))) {
                    throw malformed("tag keys must be unique without regard to case: `" + key + "`");
                }
                tags.put(key, value);
            }
        }
        if (tags.size() > MAX_TAGS) {
            throw malformed("at most " + MAX_TAGS + " session tags are allowed");
        }
        List<String> transitive = new ArrayList<>();
        Object tk = map.get("transitive_tag_keys");
        if (tk != null) {
            if (!(tk instanceof List<?> keys)) {
                throw malformed("transitive_tag_keys must be an array");
            }
            for (Object k : keys) {
                String key = String.valueOf(k);
                if (tags.keySet().stream().noneMatch(t -> t.equalsIgnoreCase(key))) {
                    throw malformed("transitive tag key `" + key + "` is not one of the principal tags");
                }
                transitive.add(key);
            }
        }
        return new SessionTags(tags, transitive);
    }

    /** Keys as the condition keys see them: {@code aws:TagKeys} values keep their case. */
    public List<String> keys() {
        return List.copyOf(tags.keySet());
    }

    private static AwsException malformed(String why) {
        return AwsException.invalidIdentityToken("The session tags claim " + CLAIM + " is not valid: " + why);
    }
}
