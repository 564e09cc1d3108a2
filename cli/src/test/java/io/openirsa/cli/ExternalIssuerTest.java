package io.openirsa.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;

import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Web identity from an issuer that is not one of OpenIRSA's clusters: the same verification path,
 * other algorithms, session tags and source identity from the token's claims, and the issuer's
 * failures.
 */
class ExternalIssuerTest extends ServerTest {
    TestIssuer issuer;
    String providerArn;
    String host;

    @BeforeAll
    void setUp() throws Exception {
        issuer = new TestIssuer();
        providerArn = f.iam.createOpenIDConnectProvider(b -> b.url(issuer.url).clientIDList("my-app")).openIDConnectProviderArn();
        host = issuer.url.substring("http://".length());
    }

    @AfterAll
    void stopIssuer() {
        issuer.close();
    }

    String role(String name, String statements) {
        String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[" + statements.replace("PROVIDER", providerArn).replace("HOST", host) + "]}";
        return f.iam.createRole(b -> b.roleName(name).assumeRolePolicyDocument(doc)).role().arn();
    }

    AssumeRoleWithWebIdentityResponse assume(String roleArn, String token) {
        return f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn).roleSessionName("ext").webIdentityToken(token));
    }

    AwsServiceException refused(String roleArn, String token) {
        return catchThrowableOfType(AwsServiceException.class, () -> assume(roleArn, token));
    }

    static final String ALLOW_USER = "{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"PROVIDER\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\","
            + "\"Condition\":{\"StringEquals\":{\"HOST:sub\":\"user-1\",\"HOST:aud\":\"my-app\"}}}";

    /** The JWKS cache remembers when it last refetched; a clock that went back would confuse it. */
    @Override
    void resetClock() {
    }

    /** Forced JWKS refetches for unknown kids are limited to one per 5 s per issuer; step past that. */
    void pastRefetchLimit() {
        f.clock.advance(java.time.Duration.ofSeconds(6));
    }

    @Test
    void es256Token_fromAnotherIssuer_isAccepted() throws Exception {
        String arn = role("ext-es256", ALLOW_USER);
        var ec = issuer.addEcKey("ec-1");
        pastRefetchLimit();
        AssumeRoleWithWebIdentityResponse r = assume(arn, issuer.sign(ec, "user-1", "my-app", c -> { }));
        assertThat(r.subjectFromWebIdentityToken()).isEqualTo("user-1");
        assertThat(r.audience()).isEqualTo("my-app");
        assertThat(r.provider()).isEqualTo(providerArn);
    }

    @Test
    void sessionTags_needTagSession_andMeetTheirConditions() throws Exception {
        String tagsClaim = "https://aws.amazon.com/tags";
        Map<String, Object> tags = Map.of("principal_tags", Map.of("team", List.of("payments")), "transitive_tag_keys", List.of("team"));
        String withoutTagSession = role("ext-no-tags", ALLOW_USER);
        AwsServiceException e = refused(withoutTagSession, issuer.token("user-1", "my-app", c -> c.put(tagsClaim, tags)));
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Not authorized to perform sts:TagSession");

        String withTagSession = role("ext-tags", ALLOW_USER + ",{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"PROVIDER\"},"
                + "\"Action\":\"sts:TagSession\",\"Condition\":{\"StringEquals\":{\"aws:RequestTag/team\":\"payments\"},"
                + "\"ForAllValues:StringEquals\":{\"sts:TransitiveTagKeys\":[\"team\"]}}}");
        assertThat(assume(withTagSession, issuer.token("user-1", "my-app", c -> c.put(tagsClaim, tags))).assumedRoleUser().arn())
                .endsWith(":assumed-role/ext-tags/ext");
        Map<String, Object> otherTeam = Map.of("principal_tags", Map.of("team", List.of("marketing")));
        assertThat(refused(withTagSession, issuer.token("user-1", "my-app", c -> c.put(tagsClaim, otherTeam))).awsErrorDetails().errorCode())
                .isEqualTo("AccessDenied");
        Map<String, Object> malformed = Map.of("principal_tags", Map.of("team", "payments"));
        AwsServiceException bad = refused(withTagSession, issuer.token("user-1", "my-app", c -> c.put(tagsClaim, malformed)));
        assertThat(bad.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
    }

    @Test
    void sourceIdentity_needsSetSourceIdentity_andIsReturned() throws Exception {
        String claim = "https://aws.amazon.com/source_identity";
        String without = role("ext-no-si", ALLOW_USER);
        assertThat(refused(without, issuer.token("user-1", "my-app", c -> c.put(claim, "alice"))).awsErrorDetails().errorMessage())
                .isEqualTo("Not authorized to perform sts:SetSourceIdentity");
        String with = role("ext-si", ALLOW_USER.replace("\"sts:AssumeRoleWithWebIdentity\"", "[\"sts:AssumeRoleWithWebIdentity\",\"sts:SetSourceIdentity\"]"));
        assertThat(assume(with, issuer.token("user-1", "my-app", c -> c.put(claim, "alice"))).sourceIdentity()).isEqualTo("alice");
    }

    @Test
    void amrAndAzp_areConditionKeys() throws Exception {
        String arn = role("ext-amr", "{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"PROVIDER\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\","
                + "\"Condition\":{\"ForAnyValue:StringEquals\":{\"HOST:amr\":\"mfa\"},\"StringEquals\":{\"HOST:azp\":\"cli\"}}}");
        assertThat(assume(arn, issuer.token("user-2", "my-app", c -> {
            c.put("amr", List.of("pwd", "mfa"));
            c.put("azp", "cli");
        })).subjectFromWebIdentityToken()).isEqualTo("user-2");
        assertThat(refused(arn, issuer.token("user-2", "my-app", c -> c.put("amr", List.of("pwd")))).awsErrorDetails().errorCode())
                .isEqualTo("AccessDenied");
    }

    @Test
    void githubStyleSubjects_matchTheirConditionKeys() throws Exception {
        String arn = role("ext-github", "{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"PROVIDER\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\","
                + "\"Condition\":{\"StringEquals\":{\"HOST:aud\":\"my-app\"},\"StringLike\":{\"HOST:sub\":\"repo:octo-org/octo-repo:ref:refs/heads/*\"}}}");
        assertThat(assume(arn, issuer.token("repo:octo-org/octo-repo:ref:refs/heads/main", "my-app", c -> { })).subjectFromWebIdentityToken())
                .isEqualTo("repo:octo-org/octo-repo:ref:refs/heads/main");
        assertThat(refused(arn, issuer.token("repo:octo-org/octo-repo:pull_request", "my-app", c -> { })).awsErrorDetails().errorCode())
                .isEqualTo("AccessDenied");
        assertThat(refused(arn, issuer.token("repo:octo-org/octo-repo-fork:ref:refs/heads/main", "my-app", c -> { })).awsErrorDetails().errorCode())
                .isEqualTo("AccessDenied");
    }

    @Test
    void unknownKid_refetchesTheJwks_soRotatedKeysWork() throws Exception {
        String arn = role("ext-rotate", ALLOW_USER);
        assume(arn, issuer.token("user-1", "my-app", c -> { }));
        var rotated = issuer.addRsaKey("rsa-rotated");
        pastRefetchLimit();
        int before = issuer.jwksHits;
        assertThat(assume(arn, issuer.sign(rotated, "user-1", "my-app", c -> { })).subjectFromWebIdentityToken()).isEqualTo("user-1");
        assertThat(issuer.jwksHits).isEqualTo(before + 1);

        // Made-up kids do not make the server fetch again and again.
        int afterRotation = issuer.jwksHits;
        for (int i = 0; i < 20; i++) {
            int n = i;
            var fake = new com.nimbusds.jose.jwk.RSAKey.Builder((com.nimbusds.jose.jwk.RSAKey) issuer.keys.get(0)).keyID("fake-" + n).build();
            assertThat(refused(arn, issuer.sign(fake, "user-1", "my-app", c -> { })).awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
        }
        assertThat(issuer.jwksHits - afterRotation).isLessThanOrEqualTo(1);
    }

    @Test
    void aTokenVerifiedBefore_isRefusedOnceItsKeyIsWithdrawn() throws Exception {
        TestIssuer withdrawing = new TestIssuer();
        withdrawing.cacheControl = "max-age=60";
        try {
            String p = f.iam.createOpenIDConnectProvider(b -> b.url(withdrawing.url).clientIDList("my-app")).openIDConnectProviderArn();
            String arn = f.iam.createRole(b -> b.roleName("ext-withdrawn").assumeRolePolicyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + p
                            + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}")).role().arn();
            var replacement = withdrawing.addRsaKey("rsa-2");
            String token = withdrawing.token("user-1", "my-app", c -> c.put("exp", java.time.Instant.now().plusSeconds(3 * 3600).getEpochSecond()));
            assertThat(assume(arn, token).subjectFromWebIdentityToken()).isEqualTo("user-1");
            assertThat(assume(arn, token).subjectFromWebIdentityToken()).as("again: from its second sight on, its verification is remembered").isEqualTo("user-1");
            // One bit of the signature changed: a token the server has not seen, and its signature fails.
            char last = token.charAt(token.length() - 2);
            String flipped = token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
            assertThat(refused(arn, flipped).awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");

            withdrawing.keys = List.of(replacement);
            f.clock.advance(java.time.Duration.ofMinutes(2)); // past the JWKS's shortest lifetime in the cache
            AwsServiceException e = refused(arn, token);
            assertThat(e).as("refused after the issuer stopped publishing its key").isNotNull();
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
            assertThat(assume(arn, withdrawing.sign(replacement, "user-1", "my-app", c -> { })).subjectFromWebIdentityToken()).isEqualTo("user-1");
        } finally {
            withdrawing.close();
        }
    }

    @Test
    void brokenJwks_isInvalidIdentityToken() throws Exception {
        TestIssuer broken = new TestIssuer();
        try {
            broken.jwksOverride = "{\"keys\": \"not a list\"}";
            f.iam.createOpenIDConnectProvider(b -> b.url(broken.url).clientIDList("my-app"));
            String p = "arn:aws:iam::123456789012:oidc-provider/" + broken.url.substring(7);
            String arn = f.iam.createRole(b -> b.roleName("ext-broken").assumeRolePolicyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + p
                            + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}")).role().arn();
            AwsServiceException e = refused(arn, broken.token("user-1", "my-app", c -> { }));
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
            assertThat(e.awsErrorDetails().errorMessage()).startsWith("Couldn't retrieve verification key from your identity provider");
        } finally {
            broken.close();
        }
    }

    @Test
    void unreachableIssuer_isIdpCommunicationError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/gone";
        String p = f.iam.createOpenIDConnectProvider(b -> b.url(url).clientIDList("my-app")).openIDConnectProviderArn();
        String arn = f.iam.createRole(b -> b.roleName("ext-gone").assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + p
                        + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}")).role().arn();
        // Signed by our test issuer's key but claiming the unreachable issuer: the keys cannot be fetched.
        String token = issuer.token("user-1", "my-app", c -> c.put("iss", url));
        AwsServiceException e = refused(arn, token);
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).as("as AWS answers an issuer it cannot reach").isEqualTo("InvalidIdentityToken");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(JwksCacheTest.KEYS_NOT_RETRIEVED.substring("InvalidIdentityToken: ".length()));
    }

    @Test
    void tokenSignedByAnotherIssuersKey_isRefused() throws Exception {
        String arn = role("ext-forged", ALLOW_USER);
        TestIssuer attacker = new TestIssuer();
        try {
            // The attacker signs with its own key under our issuer's iss and kid.
            var key = attacker.keys.get(0);
            var sameKid = new com.nimbusds.jose.jwk.RSAKey.Builder((com.nimbusds.jose.jwk.RSAKey) key).keyID("rsa-1").build();
            String forged = attacker.sign(sameKid, "user-1", "my-app", c -> c.put("iss", issuer.url));
            AwsServiceException e = refused(arn, forged);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
        } finally {
            attacker.close();
        }
    }
}
