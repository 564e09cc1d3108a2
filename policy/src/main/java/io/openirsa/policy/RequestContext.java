package io.openirsa.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a policy is evaluated against: the principal, the action, the resource and the condition
 * keys. Key names are case-insensitive in IAM, so they are stored lower-cased; a key maps to one
 * value or to several (multi-valued keys such as {@code aws:TagKeys}).
 */
public record RequestContext(RequestPrincipal principal, String action, String resource, Map<String, List<String>> keys) {
    /**
     * The claims of a web identity token that STS makes condition keys of, as {@code <provider>:<claim>}
     * (IAM's condition keys for OIDC federation; {@code amr} is multivalued). Google's {@code oaud} is its own.
     */
    public static final List<String> WEB_IDENTITY_CLAIMS = List.of("sub", "aud", "amr", "azp");

    public RequestContext {
        Objects.requireNonNull(action, "action");
        keys = Map.copyOf(keys);
    }

    /** The values of a key, or null when the request does not have it. */
    public List<String> values(String key) {
        return keys.get(key.toLowerCase(Locale.ROOT));
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private RequestPrincipal principal;
        private String action;
        private String resource;
        private final Map<String, List<String>> keys = new LinkedHashMap<>();

        public Builder principal(RequestPrincipal principal) {
            this.principal = principal;
            return this;
        }

        public Builder action(String action) {
            this.action = action;
            return this;
        }

        public Builder resource(String resource) {
            this.resource = resource;
            return this;
        }

        /** Sets a single-valued key; a null value leaves the key absent. */
        public Builder put(String key, String value) {
            if (value != null) {
                keys.put(key.toLowerCase(Locale.ROOT), List.of(value));
            }
            return this;
        }

        /** Sets a multi-valued key; null leaves it absent, an empty list makes it present and empty. */
        public Builder putAll(String key, List<String> values) {
            if (values != null) {
                keys.put(key.toLowerCase(Locale.ROOT), List.copyOf(new ArrayList<>(values)));
            }
            return this;
        }

        public RequestContext build() {
            return new RequestContext(principal, action, resource, keys);
        }
    }
}
