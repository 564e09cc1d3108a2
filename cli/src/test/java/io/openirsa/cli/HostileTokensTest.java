package io.openirsa.cli;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Hostile web identity tokens against a role that trusts an independent issuer: each is refused
 * with the exact AWS error code (or accepted, for the lookalikes that are legitimate).
 */
class HostileTokensTest extends ServerTest {
    TestIssuer issuer;
    RSAKey key;
    ECKey ecKey;
    RSAKey attacker;
    String roleArn;

    @BeforeAll
    void setUp() throws Exception {
        issuer = new TestIssuer();
        key = (RSAKey) issuer.keys.get(0);
        ecKey = issuer.addEcKey("ec-1");
        attacker = new RSAKeyGenerator(2048).keyID("attacker").generate();
        String provider = f.iam.createOpenIDConnectProvider(b -> b.url(issuer.url).clientIDList("my-app")).openIDConnectProviderArn();
        roleArn = f.iam.createRole(b -> b.roleName("hostile").assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + provider
                        + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}")).role().arn();
    }

    @AfterAll
    void stopIssuer() {
        issuer.close();
    }

    record Case(String name, Callable<String> token, String expectedCode) {
    }

    Map<String, Object> claims() {
        return issuer.claims("user-1", "my-app", c -> { });
    }

    Map<String, Object> claims(java.util.function.Consumer<Map<String, Object>> change) {
        return issuer.claims("user-1", "my-app", change);
    }

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    String rs256(Map<String, Object> claims) throws Exception {
        return TestIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), new RSASSASigner(key), claims);
    }

    List<Case> cases() {
        long now = Instant.now().getEpochSecond();
        return List.of(
                new Case("a well-formed RS256 token is accepted", () -> rs256(claims()), null),
                new Case("a well-formed ES256 token is accepted", () -> issuer.sign(ecKey, "user-1", "my-app", c -> { }), null),
                new Case("aud as a single string is accepted", () -> rs256(claims(c -> c.put("aud", "my-app"))), null),
                new Case("a token without kid is tried against every key", () -> TestIssuer.sign(
                        new JWSHeader.Builder(JWSAlgorithm.ES256).build(), new ECDSASigner(ecKey), claims()), null),
                new Case("a JWT typ header is fine", () -> TestIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
                        .type(JOSEObjectType.JWT).build(), new RSASSASigner(key), claims()), null),
                new Case("alg none", () -> b64("{\"alg\":\"none\"}") + "." + b64(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(claims())) + ".",
                        "InvalidIdentityToken"),
                new Case("HS256 keyed with the issuer's RSA public key", () -> TestIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                        new MACSigner(key.toRSAPublicKey().getEncoded()), claims()), "InvalidIdentityToken"),
                new Case("a tampered signature", () -> {
                    String t = rs256(claims());
                    return t.substring(0, t.length() - 4) + (t.endsWith("AAAA") ? "BBBB" : "AAAA");
                }, "InvalidIdentityToken"),
                new Case("tampered claims under a valid signature", () -> {
                    String[] p = rs256(claims()).split("\\.");
                    return p[0] + "." + b64(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(claims(c -> c.put("sub", "admin")))) + "." + p[2];
                }, "InvalidIdentityToken"),
                new Case("jku pointing at the attacker's keys", () -> TestIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("attacker")
                        .jwkURL(URI.create("http://127.0.0.1:1/attacker.json")).build(), new RSASSASigner(attacker), claims()), "InvalidIdentityToken"),
                new Case("x5u pointing at the attacker's certificate", () -> TestIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("attacker")
                        .x509CertURL(URI.create("http://127.0.0.1:1/attacker.pem")).build(), new RSASSASigner(attacker), claims()), "InvalidIdentityToken"),
                new Case("jwk header carrying the attacker's key", () -> TestIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .jwk(attacker.toPublicJWK()).build(), new RSASSASigner(attacker), claims()), "InvalidIdentityToken"),
                new Case("the attacker's key under the issuer's kid", () -> TestIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
                        new RSASSASigner(attacker), claims()), "InvalidIdentityToken"),
                new Case("an ES256 signature labelled RS256", () -> {
                    String es = issuer.sign(ecKey, "user-1", "my-app", c -> { });
                    return b64("{\"alg\":\"RS256\",\"kid\":\"ec-1\"}") + es.substring(es.indexOf('.'));
                }, "InvalidIdentityToken"),
                new Case("an unknown crit header", () -> TestIssuer.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
                        .criticalParams(Set.of("http://example.com/must-understand")).customParam("http://example.com/must-understand", true).build(),
                        new RSASSASigner(key), claims()), "InvalidIdentityToken"),
                new Case("iss with a trailing slash is another issuer", () -> rs256(claims(c -> c.put("iss", issuer.url + "/"))), "InvalidIdentityToken"),
                new Case("an unregistered iss", () -> rs256(claims(c -> c.put("iss", "https://elsewhere.example.com"))), "InvalidIdentityToken"),
                new Case("no iss", () -> rs256(claims(c -> c.remove("iss"))), "InvalidIdentityToken"),
                new Case("a wrong aud", () -> rs256(claims(c -> c.put("aud", List.of("other-app")))), "InvalidIdentityToken"),
                new Case("no aud", () -> rs256(claims(c -> c.remove("aud"))), "InvalidIdentityToken"),
                new Case("no sub", () -> rs256(claims(c -> c.remove("sub"))), "InvalidIdentityToken"),
                new Case("no exp", () -> rs256(claims(c -> c.remove("exp"))), "InvalidIdentityToken"),
                new Case("not yet valid (nbf in an hour)", () -> rs256(claims(c -> c.put("nbf", now + 3600))), "InvalidIdentityToken"),
                new Case("issued in the future (iat in an hour)", () -> rs256(claims(c -> c.put("iat", now + 3600))), "InvalidIdentityToken"),
                new Case("nbf within the allowed skew", () -> rs256(claims(c -> c.put("nbf", now + 60))), null),
                new Case("expired", () -> rs256(claims(c -> c.put("exp", now - 1))), "ExpiredTokenException"),
                new Case("exp as a string", () -> rs256(claims(c -> c.put("exp", "tomorrow"))), "InvalidIdentityToken"),
                new Case("a 20001-character token", () -> "a".repeat(20001), "ValidationError"),
                new Case("a 3-character token", () -> "a.b", "ValidationError"),
                new Case("garbage", () -> "not a token at all", "InvalidIdentityToken"),
                new Case("a claim named twice (a verifier reading the first would see another sub)", () -> {
                    String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(claims());
                    return TestIssuer.signPayload(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), new RSASSASigner(key),
                            json.substring(0, json.length() - 1) + ",\"sub\":\"admin\"}");
                }, "InvalidIdentityToken"),
                new Case("JSON after the claims object", () -> TestIssuer.signPayload(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
                        new RSASSASigner(key), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(claims()) + "{}"), "InvalidIdentityToken"),
                new Case("a payload that is not JSON", () -> b64("{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}") + "." + b64("not json") + ".c2ln", "InvalidIdentityToken"),
                new Case("bad base64", () -> "!!!.@@@.###", "InvalidIdentityToken"),
                new Case("a JWE (five parts)", () -> "a.b.c.d.e", "InvalidIdentityToken"));
    }

    @TestFactory
    Stream<DynamicTest> hostileTokens() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            String token = c.token().call();
            if (c.expectedCode() == null) {
                var r = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn).roleSessionName("ok").webIdentityToken(token));
                assertThat(r.subjectFromWebIdentityToken()).isEqualTo("user-1");
                return;
            }
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, () -> f.anonymousSts.assumeRoleWithWebIdentity(
                    b -> b.roleArn(roleArn).roleSessionName("hostile").webIdentityToken(token)));
            assertThat(e).as("refused").isNotNull();
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo(c.expectedCode());
            assertThat(e.statusCode()).isEqualTo(400);
        }));
    }
}
