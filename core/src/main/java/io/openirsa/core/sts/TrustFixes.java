package io.openirsa.core.sts;

import io.openirsa.policy.Decision;
import io.openirsa.policy.Effect;
import io.openirsa.policy.Mismatch;
import io.openirsa.policy.RequestContext;
import io.openirsa.policy.StatementEvaluation;

/** What to change in a trust policy that refused a web identity, by the reason it refused. */
final class TrustFixes {
    private TrustFixes() {
    }

    static String fix(Decision decision, String action, VerifiedToken token) {
        String provider = token.provider().arn();
        String host = token.provider().hostPath();
        if (decision.outcome() == Decision.Outcome.EXPLICIT_DENY) {
            return "a Deny statement matches: narrow or remove " + decision.deciding().map(s -> s.statement().label()).orElse("it");
        }
        if (!action.equals("sts:AssumeRoleWithWebIdentity")) {
            return "add " + action + " to the Action of the statement that trusts " + provider;
        }
        boolean principalMissing = decision.statements().stream()
                .filter(s -> s.statement().effect() == Effect.Allow)
                .allMatch(s -> s.mismatch() instanceof Mismatch.Principal);
        if (principalMissing) {
            return "the trust policy does not name this provider: add a statement with \"Principal\": {\"Federated\": \"" + provider
                    + "\"} (a role trusting another cluster's provider must list this one too)";
        }
        for (StatementEvaluation s : decision.statements()) {
            String key = s.failedCondition() == null ? "" : s.failedCondition().key();
            if (key.indexOf('*') >= 0 || key.indexOf('?') >= 0) {
                return "the condition key " + key + " has a wildcard, and IAM never matches keys as patterns: no request has that key, so "
                        + "the condition can never hold; name the key exactly: " + host + key.substring(key.lastIndexOf(':'));
            }
            String claim = key.substring(key.lastIndexOf(':') + 1).toLowerCase();
            if (key.toLowerCase().startsWith(host.toLowerCase() + ":") && !RequestContext.WEB_IDENTITY_CLAIMS.contains(claim)) {
                return "the condition key " + key + " is never present: STS makes condition keys of a token's sub, aud, amr and azp only; check the "
                        + claim + " through " + host + ":sub (`" + token.subject() + "`)";
            }
            if (key.toLowerCase().endsWith(":sub")) {
                return "the condition on " + key + " expects " + s.failedCondition().values() + "; allow `" + token.subject()
                        + "` there, or run the pod as the expected service account";
            }
            if (key.toLowerCase().endsWith(":aud")) {
                return "the condition on " + key + " expects " + s.failedCondition().values() + "; the token's audience is `"
                        + token.audience() + "`";
            }
            if (!key.toLowerCase().startsWith(host.toLowerCase() + ":") && key.contains("/")) {
                return "the condition key " + key + " names another provider than " + host + ": use " + host + ":sub";
            }
        }
        return "allow it: \"StringEquals\": {\"" + host + ":sub\": \"" + token.subject() + "\", \"" + host + ":aud\": \"" + token.audience() + "\"}";
    }
}
