package io.openirsa.core.eks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.DenialStage;
import io.openirsa.core.Caller;
import io.openirsa.core.Settings;
import io.openirsa.core.iam.Permissions;
import io.openirsa.core.issuer.ClusterIssuers;
import io.openirsa.core.model.Cluster;
import io.openirsa.core.model.PodIdentityAssociation;
import io.openirsa.core.store.Store;
import io.openirsa.core.sts.AssumeRoleRequest;
import io.openirsa.core.sts.JwksCache;
import io.openirsa.core.sts.WebIdentityVerifier;
import io.openirsa.core.sts.RoleSession;
import io.openirsa.core.sts.SessionClaims;
import io.openirsa.core.sts.Sts;

import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * eks-auth AssumeRoleForPodIdentity: a pod's token from the cluster's own issuer (audience
 * {@code pods.eks.amazonaws.com}) buys the credentials of the role its service account is
 * associated with. The role trusts the service {@code pods.eks.amazonaws.com}, not the cluster, so
 * one role serves every cluster without a change to its trust policy.
 */
public final class PodIdentity {
    public static final String AUDIENCE = "pods.eks.amazonaws.com";
    public static final String SERVICE = "pods.eks.amazonaws.com";
    /** How long the credentials last, within the role's maximum session duration (our choice; EKS does not say). */
    static final int SESSION_SECONDS = 6 * 3600;

    private final Store store;
    private final Settings settings;
    private final ClusterIssuers issuers;
    private final Permissions permissions;
    private final Sts sts;
    private final JwksCache jwks;
    private final Eks eks;
    /** Verifiers by key, as the web identity verifier keeps them: building one decodes the key's numbers. */
    private final Cache<JWK, JWSVerifier> verifiers = Caffeine.newBuilder().maximumSize(1_000).build();

    /** @param jwks where a registered cluster's keys come from; an own cluster's are read directly */
    public PodIdentity(Store store, Settings settings, ClusterIssuers issuers, Permissions permissions, Sts sts, JwksCache jwks, Eks eks) {
        this.jwks = jwks;
        this.eks = eks;
        this.store = store;
        this.settings = settings;
        this.issuers = issuers;
        this.permissions = permissions;
        this.sts = sts;
    }

    /** What AssumeRoleForPodIdentity answers. */
    public record Result(String namespace, String serviceAccount, PodIdentityAssociation association, RoleSession session) {
    }

    /** @param caller the node's identity, which needs eks-auth:AssumeRoleForPodIdentity on the cluster, and where its request came from */
    public Result assumeRoleForPodIdentity(Caller caller, String clusterName, String token) {
        permissions.check(caller, "eks-auth:AssumeRoleForPodIdentity", Cluster.arn(settings.region(), caller.accountId(), clusterName));
        Cluster cluster = Eks.cluster(store, caller.accountId(), clusterName);
        if (token == null || token.isEmpty()) {
            throw new AwsException(AwsError.INVALID_PARAMETER_EXCEPTION, "token is required");
        }
        JWTClaimsSet claims = verified(cluster, token);
        String[] subject = claims.getSubject() == null ? new String[0] : claims.getSubject().split(":");
        if (subject.length != 4 || !subject[0].equals("system") || !subject[1].equals("serviceaccount")) {
            throw invalidToken("The token's subject is not a service account");
        }
        String namespace = subject[2];
        String serviceAccount = subject[3];
        PodIdentityAssociation association = store.associations(caller.accountId(), cluster.name()).stream()
                .filter(a -> a.namespace().equals(namespace) && a.serviceAccount().equals(serviceAccount)).findFirst()
                .orElseThrow(() -> new AwsException(AwsError.RESOURCE_NOT_FOUND_EXCEPTION, "No Pod Identity Association found for the service account "
                        + serviceAccount + " in namespace " + namespace + " of cluster " + cluster.name()));

        Map<String, Object> pod = pod(claims);
        Map<String, String> tags = new LinkedHashMap<>();
        if (!association.disableSessionTags()) {
            tags.put("eks-cluster-arn", cluster.arn());
            tags.put("eks-cluster-name", cluster.name());
            tags.put("kubernetes-namespace", namespace);
            tags.put("kubernetes-service-account", serviceAccount);
            if (pod.get("name") instanceof String name) {
                tags.put("kubernetes-pod-name", name);
            }
            if (pod.get("uid") instanceof String uid) {
                tags.put("kubernetes-pod-uid", uid);
            }
        }
        String sessionName = sessionName(cluster.name(), pod.get("name") instanceof String name ? name : serviceAccount);
        RoleSession session;
        try {
            session = sts.assumeRoleForService(SERVICE, cluster.arn(), cluster.accountId(), association.roleArn(), sessionName, tags,
                    association.targetRoleArn() == null ? association.policy() : null, SESSION_SECONDS, caller.origin());
            if (association.targetRoleArn() != null) {
                // The target role (any account) trusts the first role, and may require the association's external id.
                Caller first = Caller.of(sessionClaims(session)).from(caller.origin());
                session = sts.assumeRole(first, new AssumeRoleRequest(association.targetRoleArn(), sessionName, null, association.externalId(),
                        association.policy(), List.of(), Map.of(), List.of(), null));
            }
        } catch (AwsException e) {
            if (e.error() == AwsError.ACCESS_DENIED) {
                throw new AwsException(AwsError.ACCESS_DENIED_EXCEPTION, e.getMessage()).explained(DenialStage.TRUST_POLICY,
                        e.denial() == null ? e.getMessage() : e.denial().reason(), e.denial() == null ? null : e.denial().fix());
            }
            throw e;
        }
        return new Result(namespace, serviceAccount, association, session);
    }

    private SessionClaims sessionClaims(RoleSession session) {
        return sts.openSession(session.credentials().sessionToken())
                .orElseThrow(() -> new IllegalStateException("a session just sealed does not open"));
    }

    /**
     * The token, checked against the cluster's keys (its own, or those its API server publishes when it
     * is registered): its issuer, signature, audience and lifetime.
     */
    private JWTClaimsSet verified(Cluster cluster, String token) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw invalidToken("The token is not a signed JWT");
        }
        if (!cluster.issuer().equals(claims.getIssuer())) {
            throw invalidToken("The token was not issued by cluster " + cluster.name());
        }
        String kid = jwt.getHeader().getKeyID();
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (!WebIdentityVerifier.ALGORITHMS.contains(alg)) {
            throw invalidToken("The token's algorithm " + alg + " is not accepted: RS256-512 or ES256-512");
        }
        List<JWK> keys = cluster.registered() ? registeredKeys(cluster, kid) : issuers.keys(cluster.id()).publicJwks().getKeys();
        boolean signed = false;
        // Only the issuer's published keys: one the token names or carries (jku, jwk, x5c) is never used.
        for (JWK key : keys) {
            if (kid != null && !kid.equals(key.getKeyID())) {
                continue;
            }
            try {
                JWSVerifier verifier = verifiers.getIfPresent(key);
                if (verifier == null) {
                    verifier = switch (key) {
                        case RSAKey rsa when JWSAlgorithm.Family.RSA.contains(alg) -> new RSASSAVerifier(rsa);
                        case ECKey ec when JWSAlgorithm.Family.EC.contains(alg) -> new ECDSAVerifier(ec);
                        default -> null;
                    };
                    if (verifier == null) {
                        continue;
                    }
                    verifiers.put(key, verifier);
                }
                if (jwt.verify(verifier)) {
                    signed = true;
                    break;
                }
            } catch (JOSEException | IllegalStateException e) {
                // not this key
            }
        }
        if (!signed) {
            throw invalidToken("The token's signature does not verify with cluster " + cluster.name() + "'s keys");
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(AUDIENCE)) {
            throw invalidToken("The token's audience must be " + AUDIENCE);
        }
        Instant now = settings.clock().instant();
        if (claims.getExpirationTime() == null) {
            throw invalidToken("The token has no expiration");
        }
        if (!now.isBefore(claims.getExpirationTime().toInstant())) {
            throw new AwsException(AwsError.EXPIRED_TOKEN_EXCEPTION, "The token expired at " + claims.getExpirationTime().toInstant());
        }
        if (claims.getNotBeforeTime() != null && claims.getNotBeforeTime().toInstant().isAfter(now.plusSeconds(300))) {
            throw invalidToken("The token is not valid yet");
        }
        return claims;
    }

    /** A registered cluster's published keys, failures in eks-auth's terms (STS's codes are not eks-auth's). */
    private List<JWK> registeredKeys(Cluster cluster, String kid) {
        try {
            return jwks.keys(cluster.issuer(), () -> eks.opened(cluster).discovery(), kid == null || kid.isEmpty() ? null : kid);
        } catch (AwsException e) {
            AwsException mapped = e.error() == AwsError.IDP_COMMUNICATION_ERROR
                    ? new AwsException(AwsError.SERVICE_UNAVAILABLE_EXCEPTION, "The keys of cluster " + cluster.name() + "'s issuer could not be fetched")
                    : invalidToken("The keys of cluster " + cluster.name() + "'s issuer could not be used");
            throw e.denial() == null ? mapped : mapped.explained(e.denial().stage(), e.denial().reason(), e.denial().fix());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> pod(JWTClaimsSet claims) {
        return claims.getClaim("kubernetes.io") instanceof Map<?, ?> k && k.get("pod") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
    }

    /** {@code eks-<cluster>-<pod>}, cut to STS's 64 characters and its session-name alphabet. */
    static String sessionName(String cluster, String pod) {
        String name = ("eks-" + cluster + "-" + pod).replaceAll("[^\\w+=,.@-]", "-");
        return name.length() > 64 ? name.substring(0, 64) : name;
    }

    private static AwsException invalidToken(String message) {
        return new AwsException(AwsError.INVALID_TOKEN_EXCEPTION, message);
    }
}
