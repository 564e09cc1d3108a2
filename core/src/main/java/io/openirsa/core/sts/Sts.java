package io.openirsa.core.sts;

import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.core.CompiledPolicies;
import io.openirsa.core.Constraints;
import io.openirsa.core.Identifiers;
import io.openirsa.core.Settings;
import io.openirsa.core.model.Role;
import io.openirsa.core.store.Store;
import io.openirsa.policy.Decision;
import io.openirsa.policy.Policy;
import io.openirsa.policy.PolicyKind;
import io.openirsa.policy.RequestContext;
import io.openirsa.policy.RequestPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The STS operations: AssumeRoleWithWebIdentity and GetCallerIdentity, and credential resolution for SigV4. */
public final class Sts {
    private static final Logger LOG = LoggerFactory.getLogger(Sts.class);
    private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]*");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role(/(?:[\\x21-\\x7E]+/)?)?([\\w+=,.@-]{1,64})");
    private static final String ACTION = "sts:AssumeRoleWithWebIdentity";

    private final Store store;
    private final Settings settings;
    private final WebIdentityVerifier verifier;
    private final SessionTokens sessionTokens;
    private final CompiledPolicies compiled;

    public Sts(Store store, Settings settings, WebIdentityVerifier verifier, SessionTokens sessionTokens, CompiledPolicies compiled) {
        this.store = store;
        this.settings = settings;
        this.verifier = verifier;
        this.sessionTokens = sessionTokens;
        this.compiled = compiled;
    }

    public WebIdentitySession assumeRoleWithWebIdentity(AssumeRoleWithWebIdentityRequest r) {
        new Constraints()
                .required("roleArn", r.roleArn()).length("roleArn", r.roleArn(), 20, 2048)
                .required("roleSessionName", r.roleSessionName()).length("roleSessionName", r.roleSessionName(), 2, 64)
                .pattern("roleSessionName", r.roleSessionName(), SESSION_NAME)
                .required("webIdentityToken", r.webIdentityToken()).length("webIdentityToken", r.webIdentityToken(), 4, 20000, true)
                .length("providerId", r.providerId(), 4, 2048)
                .length("policy", r.policy(), 1, 2048)
                .range("durationSeconds", r.durationSeconds(), 900, 43200)
                .check();
        Matcher arn = ROLE_ARN.matcher(r.roleArn());
        if (!arn.matches()) {
            throw AwsException.validation("Request ARN is invalid");
        }
        if (r.policy() != null) {
            compiled.compile(r.policy(), PolicyKind.IDENTITY);
        }
        String accountId = arn.group(1);
        VerifiedToken token = verifier.verify(r.webIdentityToken(), accountId);

        String rolePath = arn.group(2) == null ? "/" : arn.group(2);
        Role role = store.role(accountId, arn.group(3))
                .filter(found -> found.name().equals(arn.group(3)) && found.path().equals(rolePath))
                .orElse(null);
        if (role == null) {
            LOG.info("AssumeRoleWithWebIdentity denied: role {} does not exist", r.roleArn());
            throw AwsException.accessDenied("Not authorized to perform " + ACTION)
                    .explained("role-lookup", "role " + r.roleArn() + " does not exist (names and paths must match exactly)",
                            "check AWS_ROLE_ARN (the eks.amazonaws.com/role-arn annotation) against aws iam get-role");
        }
        Instant now = settings.clock().instant();
        Policy trust = compiled.compile(role.trustPolicy(), PolicyKind.TRUST);
        Decision decision = authorize(trust, ACTION, r, token, now, role);
        // Tags and a source identity in the token need their own permission in the trust policy.
        if (!token.tags().isEmpty()) {
            authorize(trust, "sts:TagSession", r, token, now, role);
        }
        if (token.sourceIdentity() != null) {
            authorize(trust, "sts:SetSourceIdentity", r, token, now, role);
        }
        int duration = r.durationSeconds() == null ? 3600 : r.durationSeconds();
        if (duration > role.maxSessionDuration()) {
            throw AwsException.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
                    .explained("request-validation", "DurationSeconds " + duration + " is over the role's MaxSessionDuration " + role.maxSessionDuration(),
                            "ask for less, or: aws iam update-role --role-name " + role.name() + " --max-session-duration " + duration);
        }
        Instant expiration = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(duration);
        SessionClaims claims = new SessionClaims(Identifiers.sessionAccessKeyId(), Identifiers.secretAccessKey(), accountId,
                role.name(), role.path(), role.roleId(), r.roleSessionName(), now, expiration,
                token.provider().arn(), token.subject(), token.audience(), r.policy(),
                token.tags().tags(), token.tags().transitiveKeys(), token.sourceIdentity());
        SessionCredentials credentials = new SessionCredentials(claims.accessKeyId(), claims.secretAccessKey(),
                sessionTokens.seal(claims), expiration);
        return new WebIdentitySession(credentials, claims.assumedRoleArn(), role.roleId() + ":" + r.roleSessionName(),
                token.subject(), token.provider().arn(), token.audience(), token.sourceIdentity(), decision);
    }

    private Decision authorize(Policy trust, String action, AssumeRoleWithWebIdentityRequest r, VerifiedToken token,
                               Instant now, Role role) {
        Decision decision = trust.evaluate(trustContext(action, r, token, now));
        if (!decision.allowed()) {
            LOG.info("{} denied for {} on {}: {}", action, token.subject(), role.arn(), decision.explain());
            throw AwsException.accessDenied("Not authorized to perform " + action)
                    .explained("trust-policy", "the trust policy of " + role.arn() + " does not allow " + action + " for `" + token.subject()
                            + "` (audience `" + token.audience() + "`, provider " + token.provider().arn() + "): " + decision.explain(),
                            TrustFixes.fix(decision, action, token));
        }
        return decision;
    }

    private RequestContext trustContext(String action, AssumeRoleWithWebIdentityRequest r, VerifiedToken token, Instant now) {
        String prefix = token.provider().hostPath() + ":";
        RequestContext.Builder b = RequestContext.builder()
                .principal(RequestPrincipal.federated(token.provider().arn()))
                .action(action)
                .put(prefix + "sub", token.subject())
                .put(prefix + "aud", token.audience())
                .putAll(prefix + "amr", token.amr())
                .put(prefix + "azp", token.azp())
                .put("aws:FederatedProvider", token.provider().arn())
                .put("sts:RoleSessionName", r.roleSessionName())
                .put("aws:CurrentTime", DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS)))
                .put("aws:EpochTime", Long.toString(now.getEpochSecond()))
                .put("aws:SourceIp", r.sourceIp())
                .put("aws:SecureTransport", Boolean.toString(r.secureTransport()))
                .put("aws:RequestedRegion", settings.region())
                .put("sts:SourceIdentity", token.sourceIdentity());
        if (!token.tags().isEmpty()) {
            token.tags().tags().forEach((k, v) -> b.put("aws:RequestTag/" + k, v));
            b.putAll("aws:TagKeys", token.tags().keys());
            b.putAll("sts:TransitiveTagKeys", token.tags().transitiveKeys());
        }
        return b.build();
    }

    /** GetCallerIdentity needs no permission: it answers for whoever signed. */
    public Caller getCallerIdentity(Caller caller) {
        return caller;
    }
}
