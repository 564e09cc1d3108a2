package io.openirsa.core.sts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.DenialStage;
import io.openirsa.core.WebIdentity;
import io.openirsa.core.Sha256;
import io.openirsa.core.model.OidcProvider;
import io.openirsa.core.store.Store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a web identity token as STS does, in this order: it is a signed JWT with an allowed
 * algorithm; its {@code iss} names an OIDC provider of the role's account; its {@code aud} is in that
 * provider's client IDs; its signature verifies with a key from the issuer's JWKS; and it is within
 * {@code nbf}/{@code exp}, with {@code iat} not in the future.
 */
public final class WebIdentityVerifier {
    /** The signing algorithms STS accepts in a web identity token; eks-auth accepts the same. */
    public static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    /** Tolerated clock difference for nbf and iat; exp is exact, as STS reports it to the second. */
    static final Duration SKEW = Duration.ofMinutes(5);
    private static final String KEY_NOT_FOUND =
            "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

    static final String SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity";
    private static final Pattern SOURCE_IDENTITY = Pattern.compile("[\\w+=,.@-]{2,64}");

    private static final ObjectReader CLAIMS_READER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .readerFor(new TypeReference<Map<String, Object>>() { });

    private final Store store;
    private final JwksCache jwks;
    static final int CACHED = 10_000;
    /** Verifiers by key: building one decodes the key's numbers, which cost as much as the check itself. */
    private final Cache<JWK, JWSVerifier> verifiers = Caffeine.newBuilder().maximumSize(CACHED).build();
    /**
     * Tokens whose signature verified, by the SHA-256 of their exact text, with the key that verified them. The same
     * token comes back often (every {@code aws} command of a script, every SDK refresh until the
     * kubelet rotates the file), and the RSA check is the largest single cost of an exchange. Only the
     * signature check is skipped on a hit, and only while the issuer still publishes that key; every
     * claim is checked again, so an expired token is refused as before. Caffeine's admission keeps
     * out tokens seen once (each pod of a rollout) in favour of those that come back.
     */
    private final Cache<ByteBuffer, JWK> verified = Caffeine.newBuilder().maximumSize(CACHED).build();
    private final Clock clock;
    /** Parsed JWS headers by their base64url text; only headers of a usual size, so that hostile ones cannot fill memory. */
    static final int MAX_REMEMBERED_HEADER = 512;
    private final Cache<String, JWSHeader> headers = Caffeine.newBuilder().maximumSize(CACHED).build();

    public WebIdentityVerifier(Store store, JwksCache jwks, Clock clock) {
        this.store = store;
        this.jwks = jwks;
        this.clock = clock;
    }

    /**
     * Verifies the token for a role in the account. A refusal after the token decodes says who it
     * claimed to be ({@link AwsException#claimedBy}), for the call's audit record.
     */
    public VerifiedToken verify(String token, String accountId) {
        Jws jwt;
        JWTClaimsSet claims;
        try {
            jwt = jws(token);
            claims = claims(jwt.payload());
        } catch (ParseException | IOException | RuntimeException e) {
            throw AwsException.invalidIdentityToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
                    .explained(DenialStage.CLAIMS, "the web identity token is not a signed JWT (three base64url parts with JSON header and claims)",
                            "pass the token file's content as is (AWS_WEB_IDENTITY_TOKEN_FILE), not an access token or a truncated value");
        }
        try {
            return verify(token, jwt, claims, accountId);
        } catch (AwsException e) {
            throw e.claimedBy(claimed(claims, accountId));
        }
    }

    /** Who the claims say the token is, if they name an issuer and a subject; else null. */
    private static WebIdentity claimed(JWTClaimsSet claims, String accountId) {
        String issuer = claims.getIssuer();
        String subject = claims.getSubject();
        if (issuer == null || subject == null) {
            return null;
        }
        List<String> audiences = claims.getAudience();
        return new WebIdentity(OidcProvider.arn(accountId, issuer), audiences == null || audiences.isEmpty() ? "" : audiences.getFirst(), subject);
    }

    private VerifiedToken verify(String token, Jws jwt, JWTClaimsSet claims, String accountId) {
        if (jwt.header().getCriticalParams() != null && !jwt.header().getCriticalParams().isEmpty()) {
            throw AwsException.invalidIdentityToken("The token names critical header parameters " + jwt.header().getCriticalParams()
                    + " that are not understood");
        }
        if (!ALGORITHMS.contains(jwt.header().getAlgorithm())) {
            throw AwsException.invalidIdentityToken("Unsupported signing algorithm " + jwt.header().getAlgorithm()
                    + ": tokens must be signed with RS256, RS384, RS512, ES256, ES384 or ES512");
        }
        String issuer = claims.getIssuer();
        if (issuer == null || issuer.isEmpty()) {
            throw AwsException.invalidIdentityToken("Missing a required claim: iss");
        }
        OidcProvider provider = store.provider(accountId, OidcProvider.hostPath(issuer))
                .filter(p -> p.url().equals(issuer))
                .orElseThrow(() -> AwsException.invalidIdentityToken("No OpenIDConnect provider found in your account for " + issuer)
                        .explained(DenialStage.PROVIDER_LOOKUP, "account " + accountId + " has no OIDC provider for the token's issuer `" + issuer + "`"
                                        + " (the URL must match exactly, trailing slash included)",
                                "aws iam create-open-id-connect-provider --url " + issuer + " --client-id-list sts.amazonaws.com"
                                        + " (in the role's account; cross-account providers are not used)"));
        List<String> audiences = claims.getAudience();
        if (audiences == null || audiences.isEmpty()) {
            throw AwsException.invalidIdentityToken("Missing a required claim: aud")
                    .explained(DenialStage.CLAIMS, "the token has no aud claim", "request the token with an audience, e.g. sts.amazonaws.com");
        }
        String audience = audiences.stream().filter(provider.clientIds()::contains).findFirst()
                .orElseThrow(() -> AwsException.invalidIdentityToken("Incorrect token audience")
                        .explained(DenialStage.CLAIMS, "the token's audience " + audiences + " is not in the client IDs " + provider.clientIds()
                                        + " of provider " + provider.arn(),
                                "add it: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn " + provider.arn()
                                        + " --client-id " + audiences.get(0) + ", or project the token for one of " + provider.clientIds()));

        if (!signatureVerifies(token, jwt, provider)) {
            throw AwsException.invalidIdentityToken("The signature of the web identity token could not be verified")
                    .explained(DenialStage.SIGNATURE, "no key of " + provider.url() + "'s JWKS verifies the token's signature (kid `" + jwt.header().getKeyID() + "`)",
                            "the token was altered or signed by another issuer; if the issuer rotated its keys, check that its JWKS publishes the new key");
        }

        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw AwsException.invalidIdentityToken("Missing a required claim: exp");
        }
        if (!now.isBefore(exp.toInstant())) {
            throw new AwsException(AwsError.EXPIRED_TOKEN_EXCEPTION, "Token expired: current date/time "
                    + now.getEpochSecond() + " must be before the expiration date/time" + exp.toInstant().getEpochSecond())
                    .explained(DenialStage.CLAIMS, "the token expired at " + exp.toInstant() + " (now " + now + ")",
                            "read the token file again for each call (the kubelet refreshes it); check the node's clock");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().isAfter(now.plus(SKEW))) {
            throw AwsException.invalidIdentityToken("Token is not yet valid: nbf " + nbf.toInstant().getEpochSecond() + " is after " + now.getEpochSecond());
        }
        Date iat = claims.getIssueTime();
        if (iat != null && iat.toInstant().isAfter(now.plus(SKEW))) {
            throw AwsException.invalidIdentityToken("Token was issued in the future: iat " + iat.toInstant().getEpochSecond());
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isEmpty()) {
            throw AwsException.invalidIdentityToken("Missing a required claim: sub");
        }
        List<String> amr;
        String azp;
        String sourceIdentity;
        try {
            amr = claims.getClaim("amr") == null ? null
                    : claims.getClaim("amr") instanceof String one ? List.of(one) : claims.getStringListClaim("amr");
            azp = claims.getStringClaim("azp");
            sourceIdentity = claims.getStringClaim(SOURCE_IDENTITY_CLAIM);
        } catch (ParseException e) {
            throw AwsException.invalidIdentityToken("Claims amr, azp and " + SOURCE_IDENTITY_CLAIM + " must be a string list and strings");
        }
        if (sourceIdentity != null && !SOURCE_IDENTITY.matcher(sourceIdentity).matches()) {
            throw AwsException.invalidIdentityToken("The source identity claim must be 2-64 characters of [\\w+=,.@-]");
        }
        SessionTags tags = SessionTags.fromClaim(claims.getClaim(SessionTags.CLAIM));
        return new VerifiedToken(provider, subject, audience, amr, azp, exp.toInstant(), tags, sourceIdentity);
    }

    /**
     * The claims, decoded with the JDK's Base64 and Jackson: Nimbus's own decoding of the payload was
     * a tenth of a whole exchange's CPU time (JFR, docs/benchmarks.md). Duplicate claim names are refused.
     */
    private static JWTClaimsSet claims(String payloadPart) throws IOException, ParseException {
        Map<String, Object> json = CLAIMS_READER.readValue(Base64.getUrlDecoder().decode(payloadPart));
        if (json == null) {
            throw new ParseException("the payload is not a JSON object", 0);
        }
        return JWTClaimsSet.parse(json);
    }

    /** The positions of the two dots of a JWS compact serialization, or null when the token has not exactly three parts. */
    private static int[] dots(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        return second < 0 || token.indexOf('.', second + 1) >= 0 ? null : new int[] {first, second};
    }

    /**
     * A token as JWS compact serialization: exactly three parts, the header parsed by Nimbus. Headers
     * repeat (one per issuer key), so each distinct header text is parsed once; parsing the whole token
     * through SignedJWT for every call was 6 % of an exchange's CPU (JFR).
     */
    private record Jws(JWSHeader header, String payload, String token, int secondDot) {
        /** Made only when a signature is checked: a remembered token never needs them (2 KB of an exchange's garbage). */
        byte[] signingInput() {
            return token.substring(0, secondDot).getBytes(StandardCharsets.UTF_8);
        }

        Base64URL signature() {
            return new Base64URL(token.substring(secondDot + 1));
        }
    }

    private Jws jws(String token) throws ParseException {
        int[] dots = dots(token);
        if (dots == null) {
            throw new ParseException("not three dot-separated parts", 0);
        }
        int first = dots[0];
        int second = dots[1];
        String headerPart = token.substring(0, first);
        JWSHeader header = headers.getIfPresent(headerPart);
        if (header == null) {
            header = JWSHeader.parse(new Base64URL(headerPart));
            if (headerPart.length() <= MAX_REMEMBERED_HEADER) {
                headers.put(headerPart, header);
            }
        }
        return new Jws(header, token.substring(first + 1, second), token, second);
    }

    private boolean signatureVerifies(String token, Jws jwt, OidcProvider provider) {
        String kid = jwt.header().getKeyID();
        List<JWK> candidates;
        try {
            candidates = jwks.keys(provider, kid == null || kid.isEmpty() ? null : kid);
        } catch (AwsException e) {
            if (e.error() != AwsError.IDP_COMMUNICATION_ERROR) {
                throw e;
            }
            // AWS's STS answers an issuer it cannot reach, or that answers too slowly, as one without the key (docs/aws-behaviour.md).
            throw AwsException.invalidIdentityToken(KEY_NOT_FOUND).explained(e.denial().stage(), e.denial().reason(), e.denial().fix());
        }
        ByteBuffer digest = digest(token);
        JWK known = verified.getIfPresent(digest);
        if (known != null && candidates.contains(known)) {
            return true; // these exact bytes verified with this key, and the issuer still publishes it
        }
        if (candidates.isEmpty()) {
            throw AwsException.invalidIdentityToken(KEY_NOT_FOUND)
                    .explained(DenialStage.KEY_RETRIEVAL, provider.url() + "'s JWKS has no key with kid `" + kid + "`",
                            "check the issuer's " + provider.url() + "/.well-known/openid-configuration and its jwks_uri; a cluster whose keys changed "
                                    + "must publish the new key");
        }
        JWSAlgorithm alg = jwt.header().getAlgorithm();
        byte[] signingInput = jwt.signingInput();
        Base64URL signature = jwt.signature();
        // Only keys from the issuer's JWKS: a key the token names or carries (jku, x5u, jwk, x5c) is never used.
        for (JWK key : candidates) {
            try {
                JWSVerifier verifier = switch (key) {
                    case RSAKey rsa when JWSAlgorithm.Family.RSA.contains(alg) -> verifier(rsa);
                    case ECKey ec when JWSAlgorithm.Family.EC.contains(alg) -> verifier(ec);
                    default -> null;
                };
                if (verifier != null && verifier.verify(jwt.header(), signingInput, signature)) {
                    verified.put(digest, key);
                    return true;
                }
            } catch (JOSEException | IllegalStateException e) {
                // a key that does not fit the algorithm: try the next one
            }
        }
        return false;
    }

    private static ByteBuffer digest(String token) {
        return ByteBuffer.wrap(Sha256.digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    private JWSVerifier verifier(JWK key) throws JOSEException {
        JWSVerifier v = verifiers.getIfPresent(key);
        if (v == null) {
            v = key instanceof RSAKey rsa ? new RSASSAVerifier(rsa) : new ECDSAVerifier((ECKey) key);
            verifiers.put(key, v);
        }
        return v;
    }

}
