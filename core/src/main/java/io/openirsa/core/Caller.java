package io.openirsa.core;

import io.openirsa.core.sts.SessionClaims;

/**
 * An authenticated principal: the account root (long-term administrator key) or a role session, and
 * where its request came from.
 *
 * @param session the role session's claims, or null for long-term keys
 * @param origin the request's network facts for the global condition keys; {@link Origin#UNKNOWN} until the wire sets them
 */
public record Caller(String accountId, String arn, String userId, SessionClaims session, Origin origin) {

    /**
     * What the wire knows of a request, for {@code aws:SourceIp}, {@code aws:SecureTransport} and
     * {@code aws:RequestedRegion}.
     *
     * @param sourceIp the peer's address, or null
     * @param requestedRegion the region the request was signed for, or null
     */
    public record Origin(String sourceIp, boolean secureTransport, String requestedRegion) {
        public static final Origin UNKNOWN = new Origin(null, false, null);
    }

    public Caller {
        origin = origin == null ? Origin.UNKNOWN : origin;
    }

    public static Caller root(String accountId) {
        return new Caller(accountId, "arn:aws:iam::" + accountId + ":root", accountId, null, Origin.UNKNOWN);
    }

    public static Caller of(SessionClaims s) {
        return new Caller(s.accountId(), s.assumedRoleArn(), s.roleId() + ":" + s.sessionName(), s, Origin.UNKNOWN);
    }

    /** This caller, making a request from {@code origin}. */
    public Caller from(Origin origin) {
        return new Caller(accountId, arn, userId, session, origin);
    }

    public boolean isRoot() {
        return session == null;
    }

    /** The IAM principal behind the caller: the role for a session, the account root otherwise. */
    public String principalArn() {
        return session == null ? arn : session.roleArn();
    }
}
