package io.openirsa.core.iam;

import io.openirsa.core.Caller;
import io.openirsa.core.SecondsText;
import io.openirsa.policy.PrincipalType;
import io.openirsa.policy.RequestContext;
import io.openirsa.policy.RequestPrincipal;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The one request context every decision about a signed call starts from: the caller as a principal
 * and the global condition keys AWS sets for its request (identity policies, session policies, trust
 * policies of AssumeRole, the simulator's own session). A Deny guardrail on any of them then applies
 * everywhere, such as IAM's "revoke active sessions" policy on {@code aws:TokenIssueTime}.
 * Keys AWS leaves out for a kind of caller stay absent here too (no {@code aws:MultiFactorAuthPresent}
 * for long-term keys), so IfExists conditions behave as on AWS.
 */
public final class AuthorizationContext {
    private static final SecondsText CURRENT_TIME = new SecondsText();
    private static final SecondsText ISSUE_TIME = new SecondsText();

    private AuthorizationContext() {
    }

    /**
     * The keys every request has, whoever makes it (a signed caller, a web identity, a service): its
     * time, where it came from and the region it asks for.
     */
    public static RequestContext.Builder request(Caller.Origin origin, Instant now) {
        return RequestContext.builder()
                .put("aws:CurrentTime", CURRENT_TIME.format(now))
                .put("aws:EpochTime", Long.toString(now.getEpochSecond()))
                .put("aws:SourceIp", origin.sourceIp())
                .put("aws:SecureTransport", Boolean.toString(origin.secureTransport()))
                .put("aws:RequestedRegion", origin.requestedRegion());
    }

    /** The caller's request for {@code action} on {@code resource} (null for trust policies) at {@code now}. */
    public static RequestContext.Builder of(Caller caller, String action, String resource, Instant now) {
        RequestContext.Builder b = request(caller.origin(), now)
                .principal(principal(caller, caller.accountId()))
                .action(action)
                .resource(resource)
                .put("aws:PrincipalArn", caller.principalArn())
                .put("aws:PrincipalAccount", caller.accountId())
                .put("aws:userid", caller.userId())
                .put("aws:PrincipalIsAWSService", "false")
                .put("aws:ViaAWSService", "false");
        var session = caller.session();
        if (session == null) {
            return b.put("aws:PrincipalType", "Account");
        }
        b.put("aws:PrincipalType", "AssumedRole")
                .put("aws:TokenIssueTime", ISSUE_TIME.format(session.issuedAt()))
                .put("aws:MultiFactorAuthPresent", "false")
                .put("aws:SourceIdentity", session.sourceIdentity())
                .put("aws:FederatedProvider", session.provider());
        session.tags().forEach((k, v) -> b.put("aws:PrincipalTag/" + k, v));
        return b;
    }

    /**
     * The caller as a Principal element sees it: its session ARN and its role ARN exactly, and its
     * account when {@code account} is not null (a policy naming the account then names it too).
     */
    public static RequestPrincipal principal(Caller caller, String account) {
        return new RequestPrincipal(PrincipalType.AWS, Set.copyOf(List.of(caller.arn(), caller.principalArn())), account);
    }
}
