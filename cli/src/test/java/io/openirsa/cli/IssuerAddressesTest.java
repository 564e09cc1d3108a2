package io.openirsa.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Server-side request forgery through OIDC provider URLs, tried as a tenant would: a provider on a
 * loopback address (where a private service or instance metadata could be) is never fetched by a
 * server started as the README says, repeated tokens naming it send nothing out, and the tenant's
 * LookupEvents does not tell why the fetch failed. The server's own issuers keep working.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IssuerAddressesTest {
    Fixture f;
    TestIssuer internal;

    @BeforeAll
    void start() throws Exception {
        f = new Fixture(RunningServer.Options::publicIssuersOnly);
        internal = new TestIssuer();
    }

    @AfterAll
    void stop() {
        internal.close();
        f.close();
    }

    @Test
    void aProviderOnALoopbackAddress_isNeverFetched() throws Exception {
        String provider = f.iam.createOpenIDConnectProvider(b -> b.url(internal.url).clientIDList("sts.amazonaws.com")).openIDConnectProviderArn();
        String host = internal.url.substring("http://".length());
        String role = f.iam.createRole(b -> b.roleName("ssrf").assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + provider + "\"},"
                        + "\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\"" + host + ":aud\":\"sts.amazonaws.com\"}}}]}"))
                .role().arn();
        String token = internal.token("system:serviceaccount:default:app", "sts.amazonaws.com", c -> { });
        long fetchesBefore = f.server.domain().jwks().fetchCount();
        for (int i = 0; i < 5; i++) {
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, () -> f.anonymousSts.assumeRoleWithWebIdentity(
                    b -> b.roleArn(role).roleSessionName("ssrf").webIdentityToken(token)));
            assertThat(e).isNotNull();
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
            assertThat(e.awsErrorDetails().errorMessage()).startsWith("Couldn't retrieve verification key from your identity provider");
        }
        assertThat(internal.jwksHits).as("requests that reached the internal service").isZero();
        assertThat(f.server.domain().jwks().fetchCount() - fetchesBefore).as("outbound fetches for the refused issuer").isZero();

        try (CloudTrailClient trail = f.cloudTrail()) {
            var events = trail.lookupEvents(b -> b.lookupAttributes(a -> a.attributeKey(LookupAttributeKey.EVENT_NAME)
                    .attributeValue("AssumeRoleWithWebIdentity"))).events();
            var refused = events.stream().map(e -> e.cloudTrailEvent()).filter(e -> e.contains("role/ssrf")).toList();
            assertThat(refused).hasSize(5);
            // The tenant's own provider URL is in its record; what this server found at that address is not.
            assertThat(refused).allSatisfy(e -> assertThat(e).contains("\"stage\":\"key-retrieval\"").doesNotContain("resolves to")
                    .doesNotContain("public address,").doesNotContain("--allow-private-issuers"));
        }
    }

    @Test
    void theServersOwnIssuers_stillWork() throws Exception {
        String issuer = f.createCluster("own");
        String provider = f.registerProvider(issuer);
        String role = f.iam.createRole(b -> b.roleName("own").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "app")))
                .role().arn();
        String token = f.token("own", "default", "app");
        assertThat(f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(role).roleSessionName("own").webIdentityToken(token))
                .assumedRoleUser().arn()).endsWith(":assumed-role/own/own");
    }
}
