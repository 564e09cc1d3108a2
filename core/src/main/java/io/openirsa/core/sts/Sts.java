package io.openirsa.core.sts;

import io.openirsa.core.AwsException;
import io.openirsa.core.DenialStage;
import io.openirsa.core.Caller;
import io.openirsa.core.CompiledPolicies;
import io.openirsa.core.Constraints;
import io.openirsa.core.Identifiers;
import io.openirsa.core.Settings;
import io.openirsa.core.WebIdentity;
import io.openirsa.core.iam.AuthorizationContext;
import io.openirsa.core.iam.Permissions;
import io.openirsa.core.model.Role;
import io.openirsa.core.store.Store;
import io.openirsa.policy.Decision;
import io.openirsa.policy.Policy;
import io.openirsa.policy.PolicyKind;
import io.openirsa.policy.PrincipalType;
import io.openirsa.policy.RequestContext;
import io.openirsa.policy.RequestPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * STS: AssumeRoleWithWebIdentity, AssumeRole (same- and cross-account, chained), the service
 * AssumeRole behind EKS Pod Identity, and GetCallerIdentity; it opens session tokens for
 * authentication and authorizes AssumeRole by IAM's evaluation table.
 */
public final class Sts {
    private static final Logger LOG = LoggerFactory.getLogger(Sts.class);
    private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]*");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role(/(?:[\\x21-\\x7E]+/)?)?([\\w+=,.@-]{1,64})");
    private static final String ACTION = "sts:AssumeRoleWithWebIdentity";
    private static final Pattern EXTERNAL_ID = Pattern.compile("[\\w+=,.@:\\/-]*");

    private final Store store;
    private final Settings settings;
    private final WebIdentityVerifier verifier;
    private final SessionTokens sessionTokens;
    private final CompiledPolicies compiled;
    private final Permissions permissions;
    private final SessionPolicies sessionPolicies;

    public Sts(Store store, Settings settings, WebIdentityVerifier verifier, SessionTokens sessionTokens, CompiledPolicies compiled,
               Permissions permissions, SessionPolicies sessionPolicies) {
        this.store = store;
        this.settings = settings;
        this.verifier = verifier;
        this.sessionTokens = sessionTokens;
        this.compiled = compiled;
        this.permissions = permissions;
        this.sessionPolicies = sessionPolicies;
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
        String accountId = arn.group(1);
        // The token first: nothing a caller sends is compiled or kept before it proves who it is.
        VerifiedToken token = verifier.verify(r.webIdentityToken(), accountId);
        try {
            return assumeRoleWithWebIdentity(r, arn, token);
        } catch (AwsException e) {
            throw e.claimedBy(new WebIdentity(token.provider().arn(), token.audience(), token.subject()));
        }
    }

    private WebIdentitySession assumeRoleWithWebIdentity(AssumeRoleWithWebIdentityRequest r, Matcher arn, VerifiedToken token) {
        String accountId = arn.group(1);
        String rolePath = arn.group(2) == null ? "/" : arn.group(2);
        Role role = store.role(accountId, arn.group(3))
                .filter(found -> found.name().equals(arn.group(3)) && found.path().equals(rolePath))
                .orElse(null);
        if (role == null) {
            LOG.info("AssumeRoleWithWebIdentity denied: role {} does not exist", r.roleArn());
            throw AwsException.accessDenied("Not authorized to perform " + ACTION)
                    .explained(DenialStage.ROLE_LOOKUP, "role " + r.roleArn() + " does not exist (names and paths must match exactly)",
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
        sessionPolicies.packedSize(accountId, r.policy(), r.policyArns(), Map.of());
        int duration = r.durationSeconds() == null ? 3600 : r.durationSeconds();
        if (duration > role.maxSessionDuration()) {
            throw AwsException.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
                    .explained(DenialStage.REQUEST_VALIDATION, "DurationSeconds " + duration + " is over the role's MaxSessionDuration " + role.maxSessionDuration(),
                            "ask for less, or: aws iam update-role --role-name " + role.name() + " --max-session-duration " + duration);
        }
        Instant expiration = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(duration);
        SessionClaims claims = new SessionClaims(Identifiers.sessionAccessKeyId(), Identifiers.secretAccessKey(), accountId,
                role.name(), role.path(), role.roleId(), r.roleSessionName(), now, expiration,
                token.provider().arn(), token.subject(), token.audience(), r.policy(), r.policyArns(),
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
                    .explained(DenialStage.TRUST_POLICY, "the trust policy of " + role.arn() + " does not allow " + action + " for `" + token.subject()
                            + "` (audience `" + token.audience() + "`, provider " + token.provider().arn() + "): " + decision.explain(),
                            TrustFixes.fix(decision, action, token));
        }
        return decision;
    }

    private RequestContext trustContext(String action, AssumeRoleWithWebIdentityRequest r, VerifiedToken token, Instant now) {
        String prefix = token.provider().hostPath() + ":"; // the claims of RequestContext.WEB_IDENTITY_CLAIMS
        RequestContext.Builder b = AuthorizationContext.request(new Caller.Origin(r.sourceIp(), r.secureTransport(), settings.region()), now)
                .principal(RequestPrincipal.federated(token.provider().arn()))
                .action(action)
                .put(prefix + "sub", token.subject())
                .put(prefix + "aud", token.audience())
                .putAll(prefix + "amr", token.amr())
                .put(prefix + "azp", token.azp())
                .put("aws:FederatedProvider", token.provider().arn())
                .put("sts:RoleSessionName", r.roleSessionName())
                .put("sts:SourceIdentity", token.sourceIdentity());
        if (!token.tags().isEmpty()) {
            token.tags().tags().forEach((k, v) -> b.put("aws:RequestTag/" + k, v));
            b.putAll("aws:TagKeys", token.tags().keys());
            b.putAll("sts:TransitiveTagKeys", token.tags().transitiveKeys());
        }
        return b.build();
    }

    /**
     * AssumeRole, signed by an account root or a role session. A session assuming a role is role
     * chaining: at most one hour, its transitive tags and source identity carried along.
     */
    public RoleSession assumeRole(Caller caller, AssumeRoleRequest r) {
        new Constraints()
                .required("roleArn", r.roleArn()).length("roleArn", r.roleArn(), 20, 2048)
                .required("roleSessionName", r.roleSessionName()).length("roleSessionName", r.roleSessionName(), 2, 64)
                .pattern("roleSessionName", r.roleSessionName(), SESSION_NAME)
                .length("externalId", r.externalId(), 2, 1224).pattern("externalId", r.externalId(), EXTERNAL_ID)
                .length("sourceIdentity", r.sourceIdentity(), 2, 64).pattern("sourceIdentity", r.sourceIdentity(), SESSION_NAME)
                .range("durationSeconds", r.durationSeconds(), 900, 43200)
                .check();
        if (r.tags().size() > 50) {
            throw AwsException.validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
        }
        Matcher arn = ROLE_ARN.matcher(r.roleArn());
        if (!arn.matches()) {
            throw AwsException.validation("Request ARN is invalid");
        }
        String accountId = arn.group(1);
        String denied = "User: " + caller.arn() + " is not authorized to perform: sts:AssumeRole on resource: " + r.roleArn();
        Role role = roleToAssume(arn, r.roleArn(), denied);
        SessionClaims from = caller.session();
        boolean chained = from != null;

        // Tags: the caller's transitive tags come along and cannot be overridden.
        Map<String, String> tags = new LinkedHashMap<>();
        List<String> transitive = new ArrayList<>();
        if (chained) {
            for (String k : from.transitiveTagKeys()) {
                tags.put(k, from.tags().get(k));
                transitive.add(k);
            }
        }
        for (Map.Entry<String, String> t : r.tags().entrySet()) {
            if (tags.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(t.getKey()))) {
                throw AwsException.validation("The session tag " + t.getKey() + " is transitive from the calling session and cannot be overridden");
            }
            tags.put(t.getKey(), t.getValue());
        }
        for (String k : r.transitiveTagKeys()) {
            if (!r.tags().containsKey(k)) {
                throw AwsException.validation("The transitive tag key " + k + " is not one of the session tags");
            }
            transitive.add(k);
        }
        String sourceIdentity = chained && from.sourceIdentity() != null ? from.sourceIdentity() : r.sourceIdentity();
        if (chained && from.sourceIdentity() != null && r.sourceIdentity() != null && !r.sourceIdentity().equals(from.sourceIdentity())) {
            throw AwsException.accessDenied(denied).explained(DenialStage.REQUEST_VALIDATION,
                    "the source identity `" + from.sourceIdentity() + "` of the calling session cannot be changed to `" + r.sourceIdentity() + "`",
                    "leave SourceIdentity out, or pass the same value");
        }

        Instant now = settings.clock().instant();
        Policy trust = compiled.compile(role.trustPolicy(), PolicyKind.TRUST);
        Consumer<RequestContext.Builder> keys = stsKeys(r, tags, transitive, sourceIdentity);
        Decision decision = authorizeAssume(trust, "sts:AssumeRole", caller, role, keys, now, denied);
        if (!r.tags().isEmpty()) {
            authorizeAssume(trust, "sts:TagSession", caller, role, keys, now, denied);
        }
        if (r.sourceIdentity() != null && (!chained || from.sourceIdentity() == null)) {
            authorizeAssume(trust, "sts:SetSourceIdentity", caller, role, keys, now, denied);
        }
        int packed = sessionPolicies.packedSize(accountId, r.policy(), r.policyArns(), r.tags());

        int duration;
        if (chained) {
            if (r.durationSeconds() != null && r.durationSeconds() > 3600) {
                throw AwsException.validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
                        .explained(DenialStage.REQUEST_VALIDATION, "role chaining: " + caller.arn() + " is a role session, so the new session lasts at most 1 hour",
                                "ask for 3600 seconds or less");
            }
            duration = r.durationSeconds() == null ? 3600 : r.durationSeconds();
        } else {
            duration = r.durationSeconds() == null ? 3600 : r.durationSeconds();
            if (duration > role.maxSessionDuration()) {
                throw AwsException.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
            }
        }
        Instant expiration = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(duration);
        SessionClaims claims = new SessionClaims(Identifiers.sessionAccessKeyId(), Identifiers.secretAccessKey(), accountId,
                role.name(), role.path(), role.roleId(), r.roleSessionName(), now, expiration,
                chained ? from.provider() : null, chained ? from.subject() : null, chained ? from.audience() : null,
                r.policy(), r.policyArns(), tags, transitive, sourceIdentity);
        SessionCredentials credentials = new SessionCredentials(claims.accessKeyId(), claims.secretAccessKey(), sessionTokens.seal(claims), expiration);
        return new RoleSession(credentials, claims.assumedRoleArn(), role.roleId() + ":" + r.roleSessionName(),
                r.policy() != null || !r.policyArns().isEmpty() || !r.tags().isEmpty() ? packed : null, sourceIdentity, decision);
    }

    /**
     * AssumeRole by an AWS service acting for itself (EKS Pod Identity: {@code pods.eks.amazonaws.com}),
     * as the trust policy names it. Session tags also need {@code sts:TagSession} in the trust policy.
     *
     * @param source the resource the service acts for (aws:SourceArn, aws:SourceAccount)
     * @param maxSeconds the longest session the service asks for; the role's maximum caps it
     */
    public RoleSession assumeRoleForService(String service, String sourceArn, String sourceAccount, String roleArn, String sessionName,
                                            Map<String, String> tags, String policy, int maxSeconds, Caller.Origin origin) {
        Matcher arn = ROLE_ARN.matcher(roleArn);
        String denied = "The service " + service + " is not authorized to perform: sts:AssumeRole on resource: " + roleArn;
        if (!arn.matches()) {
            throw AwsException.accessDenied(denied);
        }
        String accountId = arn.group(1);
        Role role = roleToAssume(arn, roleArn, denied);
        Instant now = settings.clock().instant();
        Policy trust = compiled.compile(role.trustPolicy(), PolicyKind.TRUST);
        Decision assume = null;
        for (String action : tags.isEmpty() ? List.of("sts:AssumeRole") : List.of("sts:AssumeRole", "sts:TagSession")) {
            RequestContext.Builder b = AuthorizationContext.request(origin, now).principal(RequestPrincipal.service(service)).action(action)
                    .put("aws:SourceArn", sourceArn)
                    .put("aws:SourceAccount", sourceAccount)
                    .put("sts:RoleSessionName", sessionName);
            if (!tags.isEmpty()) {
                tags.forEach((k, v) -> b.put("aws:RequestTag/" + k, v));
                b.putAll("aws:TagKeys", List.copyOf(tags.keySet()));
            }
            Decision d = trust.evaluate(b.build());
            if (!d.allowed()) {
                LOG.info("{} denied for {} on {}: {}", action, service, role.arn(), d.explain());
                throw AwsException.accessDenied(denied.replace("sts:AssumeRole", action)).explained(DenialStage.TRUST_POLICY,
                        "the trust policy of " + role.arn() + " does not allow " + action + " for the service " + service + ": " + d.explain(),
                        "trust {\"Service\": \"" + service + "\"} with the actions sts:AssumeRole and sts:TagSession");
            }
            assume = assume == null ? d : assume;
        }
        Instant expiration = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(Math.min(maxSeconds, role.maxSessionDuration()));
        SessionClaims claims = new SessionClaims(Identifiers.sessionAccessKeyId(), Identifiers.secretAccessKey(), accountId,
                role.name(), role.path(), role.roleId(), sessionName, now, expiration, null, null, null,
                policy, List.of(), tags, List.of(), null);
        SessionCredentials credentials = new SessionCredentials(claims.accessKeyId(), claims.secretAccessKey(), sessionTokens.seal(claims), expiration);
        return new RoleSession(credentials, claims.assumedRoleArn(), role.roleId() + ":" + sessionName, null, null, assume);
    }

    /** The role a matched ARN names, path included; a missing one is AccessDenied with {@code denied}, as STS answers. */
    private Role roleToAssume(Matcher arn, String roleArn, String denied) {
        String rolePath = arn.group(2) == null ? "/" : arn.group(2);
        return store.role(arn.group(1), arn.group(3)).filter(found -> found.name().equals(arn.group(3)) && found.path().equals(rolePath))
                .orElseThrow(() -> AwsException.accessDenied(denied).explained(DenialStage.ROLE_LOOKUP, "role " + roleArn + " does not exist",
                        "check the role ARN: aws iam get-role --role-name " + arn.group(3)));
    }

    /**
     * IAM's evaluation logic for a role session or an account root assuming a role: an explicit Deny
     * in the trust policy or in the caller's identity or session policies refuses. Otherwise, in the
     * same account, a trust policy naming the session itself allows on its own; one naming the
     * caller's role allows as far as the session policies do; one naming the account needs the
     * caller's identity policies (and session policies) to allow. Across accounts both sides must
     * allow. See docs/aws-behaviour.md.
     */
    private Decision authorizeAssume(Policy trust, String action, Caller caller, Role role, Consumer<RequestContext.Builder> keys,
                                     Instant now, String denied) {
        RequestContext.Builder b = AuthorizationContext.of(caller, action, null, now);
        keys.accept(b);
        Decision asAccount = trust.evaluate(b.principal(AuthorizationContext.principal(caller, caller.accountId())).build());
        Permissions.Verdict own = permissions.evaluate(caller, action, role.arn(), keys);
        String refused = denied.replace("sts:AssumeRole", action);
        if (own.explicitlyDenied()) {
            LOG.info("{} denied for {} on {}: explicit deny in the caller's own policies", action, caller.arn(), role.arn());
            throw Permissions.denied(caller, action, role.arn(), own);
        }
        if (!asAccount.allowed()) {
            LOG.info("{} denied for {} on {}: {}", action, caller.arn(), role.arn(), asAccount.explain());
            throw AwsException.accessDenied(refused).explained(DenialStage.TRUST_POLICY, "the trust policy of " + role.arn() + " does not allow " + action
                    + " for " + caller.arn() + ": " + asAccount.explain(), "add the caller (" + caller.principalArn() + " or its account) to the trust "
                    + "policy's Principal with the action " + action + ", and meet its conditions (e.g. sts:ExternalId)");
        }
        boolean sameAccount = caller.accountId().equals(role.accountId());
        boolean allowed;
        String why;
        if (!sameAccount) {
            allowed = own.allowed();
            why = "across accounts the caller's own policies must allow " + action + " on " + role.arn() + " too";
        } else if (trust.evaluate(b.principal(new RequestPrincipal(PrincipalType.AWS, Set.of(caller.arn()), null)).build()).allowed()) {
            allowed = true;
            why = null;
        } else if (!caller.isRoot() && trust.evaluate(b.principal(new RequestPrincipal(PrincipalType.AWS, Set.of(caller.principalArn()), null)).build()).allowed()) {
            allowed = own.sessionAllows();
            why = "the trust policy names the role " + caller.principalArn() + ", so the session policies of " + caller.arn() + " must allow " + action;
        } else {
            allowed = own.allowed();
            why = "the trust policy names the account, so the caller's own policies must allow " + action + " on " + role.arn();
        }
        if (!allowed) {
            LOG.info("{} denied for {} on {}: {}", action, caller.arn(), role.arn(), why);
            throw Permissions.denied(caller, action, role.arn(), own).explained(DenialStage.AUTHORIZATION, why,
                    "allow " + action + " on " + role.arn() + " in the policies of " + caller.principalArn());
        }
        return asAccount;
    }

    /** The condition keys STS sets for an AssumeRole request, besides the global ones. */
    private static Consumer<RequestContext.Builder> stsKeys(AssumeRoleRequest r, Map<String, String> tags, List<String> transitive,
                                                            String sourceIdentity) {
        return b -> {
            b.put("sts:ExternalId", r.externalId())
                    .put("sts:RoleSessionName", r.roleSessionName())
                    .put("sts:SourceIdentity", sourceIdentity);
            if (!r.tags().isEmpty()) {
                r.tags().forEach((k, v) -> b.put("aws:RequestTag/" + k, v));
                b.putAll("aws:TagKeys", List.copyOf(r.tags().keySet()));
                b.putAll("sts:TransitiveTagKeys", transitive);
            }
        };
    }

    /** The claims of a session this server sealed, or empty. */
    public Optional<SessionClaims> openSession(String sessionToken) {
        return sessionTokens.open(sessionToken);
    }

    /** GetCallerIdentity needs no permission: it answers for whoever signed. */
    public Caller getCallerIdentity(Caller caller) {
        return caller;
    }
}
