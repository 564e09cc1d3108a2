package io.openirsa.core;

import io.openirsa.core.sts.SessionClaims;

/**
 * An authenticated principal: the account root (long-term administrator key) or a role session.
 *
 * @param session the role session's claims, or null for long-term keys
 */
public record Caller(String accountId, String arn, String userId, SessionClaims session) {

    public static Caller root(String accountId) {
        return new Caller(accountId, "arn:aws:iam::" + accountId + ":root", accountId, null);
    }

    public static Caller of(SessionClaims s) {
        return new Caller(s.accountId(), s.assumedRoleArn(), s.roleId() + ":" + s.sessionName(), s);
    }

    public boolean isRoot() {
        return session == null;
    }
}
