package io.openirsa.policy;

/**
 * One thing the linter found in a policy.
 *
 * @param code a stable identifier, e.g. {@code OIDC_SUB_MISSING}
 * @param location where: {@code Statement[0].Condition.StringLike.<key>}
 * @param message what is wrong, with the user's text in backticks
 * @param fix what to write instead
 */
public record Finding(Severity severity, String code, String location, String message, String fix) {

    public enum Severity {
        /** The policy does not do what it appears to, or lets in more than intended: fix before use. */
        ERROR,
        /** Likely too broad or fragile. */
        WARNING,
        /** Worth knowing. */
        INFO
    }
}
