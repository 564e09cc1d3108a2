package io.openirsa.core.issuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.KubernetesNames;
import io.openirsa.core.Settings;
import io.openirsa.core.keys.KeyRotation;
import io.openirsa.core.model.Cluster;
import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.StoredKey;
import io.openirsa.core.store.Store;
import io.openirsa.core.sts.KeyEncryption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The OIDC issuers of clusters: their keys, discovery documents and JWKS, and the projected
 * service-account tokens they sign, with the claims kube-apiserver puts in them.
 */
public final class ClusterIssuers {
    public static final long DEFAULT_TOKEN_SECONDS = 86400;
    public static final long MIN_TOKEN_SECONDS = 600;

    private static final Logger LOG = LoggerFactory.getLogger(ClusterIssuers.class);
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");
    /** The JWKS is served with max-age=3600: a new key is published that long before it signs. */
    static final Duration PUBLISH_AHEAD = Duration.ofHours(1);

    /** How long a loaded keyset is used before it is read again: another replica may have rotated it. */
    static final Duration KEYSET_REFRESH = Duration.ofSeconds(1);

    private record Loaded(SigningKeys keys, long at) {
    }

    private final Store store;
    private final Settings settings;
    private final KeyEncryption encryption;
    private final Map<String, Loaded> keysets = new ConcurrentHashMap<>();

    public ClusterIssuers(Store store, Settings settings, KeyEncryption encryption) {
        this.store = store;
        this.settings = settings;
        this.encryption = encryption;
    }

    /** Creates the first signing key of a new cluster's issuer. */
    public void createKeys(String clusterId) {
        store.insertKey(SigningKeys.generate(clusterId, KeyStatus.PRIMARY, settings.clock().instant(), encryption));
    }

    public void deleteKeys(String clusterId) {
        store.deleteKeys(clusterId);
        keysets.remove(clusterId);
    }

    /** An own cluster by its id: registered clusters are served by their own API server. */
    public Optional<Cluster> clusterById(String id) {
        return store.clusterById(id).filter(c -> !c.registered());
    }

    public SigningKeys keys(String clusterId) {
        long now = System.nanoTime();
        Loaded l = keysets.get(clusterId);
        if (l == null || now - l.at > KEYSET_REFRESH.toNanos()) {
            l = new Loaded(SigningKeys.of(store.keys(clusterId), encryption), now);
            keysets.put(clusterId, l);
        }
        return l.keys;
    }

    /** How long the oldest signing key still in use has been signing, over all clusters: above the rotation period, rotation is stuck. */
    public Duration oldestPrimaryKeyAge() {
        Instant now = settings.clock().instant();
        Duration oldest = Duration.ZERO;
        for (Cluster c : ownClusters()) {
            for (StoredKey k : store.keys(c.id())) {
                if (k.status() == KeyStatus.PRIMARY) {
                    Duration age = Duration.between(k.changedAt(), now);
                    oldest = age.compareTo(oldest) > 0 ? age : oldest;
                }
            }
        }
        return oldest;
    }

    /** The stored keys of a cluster's issuer, with their states. */
    public List<StoredKey> storedKeys(String clusterId) {
        return store.keys(clusterId);
    }

    /** The rotation policy: keys published one JWKS cache lifetime ahead, kept until their longest token expired. */
    public KeyRotation.Policy rotationPolicy() {
        return new KeyRotation.Policy(settings.keyRotationPeriod(), PUBLISH_AHEAD,
                Duration.ofSeconds(settings.maxTokenSeconds()).plus(Duration.ofMinutes(5)));
    }

    /**
     * Applies what rotation says is due for one cluster, and reloads its keyset.
     *
     * @param force add a new key now even if the primary is not old yet (it still signs only after being published)
     * @return the steps taken
     */
    public List<KeyRotation.Step> rotate(String clusterId, boolean force) {
        Instant now = settings.clock().instant();
        List<KeyRotation.Step> steps = KeyRotation.plan(store.keys(clusterId), now, rotationPolicy(), force);
        KeyRotation.apply(store, clusterId, steps, now, () -> SigningKeys.generate(clusterId, KeyStatus.PENDING, now, encryption));
        steps.forEach(step -> LOG.info("issuer keys of cluster {}: {}", clusterId, step));
        keysets.remove(clusterId); // reload: another replica may have rotated too
        return steps;
    }

    /** Runs rotation for every cluster, on one replica at a time; what a server does every minute. */
    public void rotateAll() {
        store.runExclusively("openirsa-key-rotation", () -> {
            for (Cluster c : ownClusters()) {
                try {
                    rotate(c.id(), false);
                } catch (RuntimeException e) {
                    LOG.error("key rotation failed for cluster {}", c.id(), e);
                }
            }
        });
    }

    private List<Cluster> ownClusters() {
        return store.allClusters().stream().filter(c -> !c.registered()).toList();
    }

    /** The discovery document, with the fields EKS's issuers serve. */
    public Map<String, Object> discovery(Cluster cluster) {
        return discovery(cluster.issuer(), cluster.issuer() + "/keys"); // EKS's issuers name their key set so
    }

    /** The discovery document of an issuer whose key set is at {@code jwksUri} (also for one published elsewhere: `irsa issuer export`). */
    public static Map<String, Object> discovery(String issuer, String jwksUri) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuer);
        doc.put("jwks_uri", jwksUri);
        doc.put("authorization_endpoint", "urn:kubernetes:programmatic_authorization");
        doc.put("response_types_supported", List.of("id_token"));
        doc.put("subject_types_supported", List.of("public"));
        doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
        doc.put("claims_supported", List.of("sub", "iss"));
        return doc;
    }

    /**
     * Issues a projected service-account token, as a TokenRequest would.
     *
     * @param seconds requested lifetime; null for the default day. Below 600 s is refused; above the
     *                configured maximum it is shortened to the maximum, as kube-apiserver does.
     */
    public ServiceAccountToken issue(Cluster cluster, String namespace, String serviceAccount, List<String> audiences,
                                     Long seconds, String podName, String podUid) {
        if (!KubernetesNames.isNamespace(namespace)) {
            throw new AwsException(AwsError.INVALID_PARAMETER_EXCEPTION, "namespace must be a DNS-1123 label: " + namespace);
        }
        if (!KubernetesNames.isObjectName(serviceAccount)) {
            throw new AwsException(AwsError.INVALID_PARAMETER_EXCEPTION, "service account name must be a DNS-1123 subdomain: " + serviceAccount);
        }
        long lifetime = seconds == null ? DEFAULT_TOKEN_SECONDS : seconds;
        if (lifetime < MIN_TOKEN_SECONDS) {
            throw new AwsException(AwsError.INVALID_PARAMETER_EXCEPTION, "may not specify a duration less than 10 minutes");
        }
        lifetime = Math.min(lifetime, settings.maxTokenSeconds());
        List<String> aud = audiences == null || audiences.isEmpty() ? List.of(cluster.issuer()) : List.copyOf(audiences);
        Instant now = settings.clock().instant();
        Instant exp = now.plusSeconds(lifetime);

        Map<String, Object> kubernetes = new LinkedHashMap<>();
        kubernetes.put("namespace", namespace);
        if (podName != null) {
            kubernetes.put("pod", Map.of("name", podName, "uid", podUid == null ? uid(cluster, namespace, "pod/" + podName) : podUid));
        }
        kubernetes.put("serviceaccount", Map.of("name", serviceAccount, "uid", uid(cluster, namespace, "sa/" + serviceAccount)));

        // Built as a map, not a JWTClaimsSet: that writes a one-element aud as a string, while
        // kube-apiserver always writes an array.
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", aud);
        claims.put("exp", exp.getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        claims.put("iss", cluster.issuer());
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("kubernetes.io", kubernetes);
        claims.put("nbf", now.getEpochSecond());
        claims.put("sub", "system:serviceaccount:" + namespace + ":" + serviceAccount);
        SigningKeys keys = keys(cluster.id());
        try {
            JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keys.primary().getKeyID()).build(),
                    new Payload(claims));
            jws.sign(new RSASSASigner(keys.primary()));
            return new ServiceAccountToken(jws.serialize(), exp, aud);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a service-account token failed", e);
        }
    }

    /** What an external signer returns: the JWS header and signature, base64url, as the JWT carries them. */
    public record ExternalSignature(String header, String signature, String subject, List<String> audiences, Instant expiration) {
    }

    /**
     * Signs claims kube-apiserver made, for a cluster that signs through OpenIRSA (the Kubernetes
     * ExternalJWTSigner API): {@code claims} is the JWT's payload segment as it will appear. Signed only
     * if they name this cluster's issuer and a service account, and live no longer than the maximum.
     */
    public ExternalSignature signExternal(Cluster cluster, String claims) {
        if (!BASE64URL.matcher(claims).matches()) {
            throw new AwsException(AwsError.INVALID_PARAMETER_EXCEPTION, "claims must be unpadded base64url");
        }
        Map<String, Object> c;
        try {
            c = JSONObjectUtils.parse(new String(Base64URL.from(claims).decode(), StandardCharsets.UTF_8));
        } catch (ParseException | RuntimeException e) {
            throw new AwsException(AwsError.INVALID_PARAMETER_EXCEPTION, "claims must be the base64url of a JSON object");
        }
        if (!cluster.issuer().equals(c.get("iss"))) {
            throw new AwsException(AwsError.INVALID_PARAMETER_EXCEPTION, "iss must be the cluster's issuer " + cluster.issuer());
        }
        Object sub = c.get("sub");
        if (!(sub instanceof String subject) || !subject.startsWith("system:serviceaccount:")) {
            throw new AwsException(AwsError.INVALID_PARAMETER_EXCEPTION, "sub must name a service account (system:serviceaccount:NAMESPACE:NAME)");
        }
        Object exp = c.get("exp");
        Object iat = c.get("iat");
        if (!(exp instanceof Number e) || !(iat instanceof Number i)) {
            throw new AwsException(AwsError.INVALID_PARAMETER_EXCEPTION, "exp and iat must be numbers");
        }
        long now = settings.clock().instant().getEpochSecond();
        if (e.longValue() <= now || e.longValue() - i.longValue() > settings.maxTokenSeconds() || i.longValue() > now + 300) {
            throw new AwsException(AwsError.INVALID_PARAMETER_EXCEPTION, "the token must expire in the future, within "
                    + settings.maxTokenSeconds() + " seconds of iat, and iat must not be in the future");
        }
        Object aud = c.get("aud");
        List<String> audiences = aud instanceof List<?> l ? l.stream().map(String::valueOf).toList() : aud == null ? List.of() : List.of(String.valueOf(aud));
        SigningKeys keys = keys(cluster.id());
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keys.primary().getKeyID()).type(JOSEObjectType.JWT).build();
        String headerSegment = header.toBase64URL().toString();
        try {
            String signature = new RSASSASigner(keys.primary()).sign(header, (headerSegment + "." + claims).getBytes(StandardCharsets.US_ASCII)).toString();
            return new ExternalSignature(headerSegment, signature, subject, audiences, Instant.ofEpochSecond(e.longValue()));
        } catch (JOSEException ex) {
            throw new IllegalStateException("signing for an external signer failed", ex);
        }
    }

    /** A stable uid per cluster and object, standing in for the uid Kubernetes would assign. */
    private static String uid(Cluster cluster, String namespace, String object) {
        return UUID.nameUUIDFromBytes((cluster.id() + "/" + namespace + "/" + object).getBytes(StandardCharsets.UTF_8)).toString();
    }

}
