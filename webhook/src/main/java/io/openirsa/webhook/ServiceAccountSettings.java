package io.openirsa.webhook;

import java.util.Map;

/**
 * What a ServiceAccount says about IRSA, from its annotations (or a file entry) without the prefix.
 *
 * @param audience null: the webhook's default
 * @param regionalSts null: the webhook's default
 * @param tokenExpiration null: the webhook's default (seconds)
 */
public record ServiceAccountSettings(String roleArn, String audience, Boolean regionalSts, Long tokenExpiration) {

    /**
     * From annotation-like settings ({@code role-arn}, {@code audience}, {@code sts-regional-endpoints},
     * {@code token-expiration}); values that do not parse are ignored, as the anchor ignores them.
     */
    public static ServiceAccountSettings of(Map<String, String> values) {
        String role = values.get("role-arn");
        String sts = values.get("sts-regional-endpoints");
        Boolean regional = sts == null ? null : sts.trim().equalsIgnoreCase("true") ? Boolean.TRUE
                : sts.trim().equalsIgnoreCase("false") ? Boolean.FALSE : null;
        Long expiration = null;
        String exp = values.get("token-expiration");
        if (exp != null) {
            try {
                expiration = Long.parseLong(exp.trim());
            } catch (NumberFormatException e) {
                // ignored: the default applies
            }
        }
        String audience = values.get("audience");
        return new ServiceAccountSettings(role == null || role.isBlank() ? null : role.trim(),
                audience == null || audience.isBlank() ? null : audience.trim(), regional, expiration);
    }

    public boolean hasRole() {
        return roleArn != null;
    }
}
