package io.openirsa.cli;

import io.openirsa.core.audit.AuditQuery;
import io.openirsa.store.CuttableProxy;
import io.openirsa.store.JdbcStore;
import io.openirsa.store.TestDatabases;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The database goes away under a running server (a proxy in front of PostgreSQL cuts every
 * connection): no call can have its record committed, so every API fails closed with its own 503,
 * /readyz says so within a probe's timeout, and all works again once the database is back.
 */
class PostgresOutageTest {

    @Test
    void everyApiFailsClosedWith503_andWorksAgainWhenTheDatabaseIsBack() throws Exception {
        String database = TestDatabases.freshPostgresDatabase();
        try (CuttableProxy proxy = CuttableProxy.to(database);
             Fixture f = new Fixture(o -> o.withDatabase(proxy.url(database)))) {
            String issuer = f.createCluster("outage");
            String provider = f.registerProvider(issuer);
            String roleArn = f.iam.createRole(b -> b.roleName("outage").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "app")))
                    .role().arn();
            String token = f.token("outage", "default", "app");
            Credentials before = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn).roleSessionName("before").webIdentityToken(token)).credentials();
            HttpClient http = HttpClient.newHttpClient();
            URI readyz = URI.create(f.server.endpoint() + "/readyz");
            assertThat(http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            proxy.cut();

            var noRetries = ClientOverrideConfiguration.builder().retryStrategy(b -> b.maxAttempts(1)).build();
            var admin = StaticCredentialsProvider.create(AwsBasicCredentials.create(f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey()));
            try (StsClient anonymous = StsClient.builder().endpointOverride(f.endpoint()).region(Region.US_EAST_1).overrideConfiguration(noRetries)
                    .credentialsProvider(software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider.create())
                    .httpClient(UrlConnectionHttpClient.create()).build();
                 IamClient iam = IamClient.builder().endpointOverride(f.endpoint()).region(Region.AWS_GLOBAL).credentialsProvider(admin)
                         .overrideConfiguration(noRetries).httpClient(UrlConnectionHttpClient.create()).build();
                 EksClient eks = EksClient.builder().endpointOverride(f.endpoint()).region(Region.US_EAST_1).credentialsProvider(admin)
                         .overrideConfiguration(noRetries).httpClient(UrlConnectionHttpClient.create()).build();
                 CloudTrailClient cloudtrail = CloudTrailClient.builder().endpointOverride(f.endpoint()).region(Region.US_EAST_1)
                         .credentialsProvider(admin).overrideConfiguration(noRetries).httpClient(UrlConnectionHttpClient.create()).build()) {
                // The exchange's reads are cached, but its record cannot be committed: no credentials.
                AwsServiceException exchange = catchThrowableOfType(AwsServiceException.class, () -> anonymous.assumeRoleWithWebIdentity(b -> b
                        .roleArn(roleArn).roleSessionName("during").webIdentityToken(token)));
                assertRefused(exchange, "ServiceUnavailable");
                AwsServiceException write = catchThrowableOfType(AwsServiceException.class, () -> iam.createRole(b -> b.roleName("written-during-outage")
                        .assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "other"))));
                assertRefused(write, "ServiceUnavailable");
                assertThat(write.getMessage()).doesNotContain("postgresql", "127.0.0.1:");
                assertRefused(catchThrowableOfType(AwsServiceException.class, () -> eks.createCluster(b -> b.name("during-outage")
                        .roleArn("arn:aws:iam::123456789012:role/eks").resourcesVpcConfig(v -> v.subnetIds("subnet-1")))), "ServiceUnavailableException");
                assertRefused(catchThrowableOfType(AwsServiceException.class, () -> cloudtrail.lookupEvents(b -> b.maxResults(5))), "ServiceUnavailable");
            }
            // Within Kubernetes' default probe timeout (1 s): a slower answer would count as a failure of its own.
            for (int i = 0; i < 3; i++) {
                assertThat(http.send(HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
            }

            proxy.restore();

            Instant deadline = Instant.now().plusSeconds(20);
            while (Instant.now().isBefore(deadline) && http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString()).statusCode() != 200) {
                Thread.sleep(200);
            }
            assertThat(http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            Credentials after = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn).roleSessionName("after").webIdentityToken(token)).credentials();
            assertThat(f.sts(after).getCallerIdentity().arn()).endsWith("/after");
            assertThat(f.sts(before).getCallerIdentity().arn()).endsWith("/before");
            try (JdbcStore store = JdbcStore.postgresql(database)) {
                assertThat(store.role("123456789012", "written-during-outage")).isEmpty();
                assertThat(store.lookupAudit(new AuditQuery("123456789012", "event_name", "AssumeRoleWithWebIdentity",
                        Instant.now().minusSeconds(600), Instant.now().plusSeconds(60), 50, null)).records())
                        .as("the refused exchange has no record, as it had no answer but a 503").hasSize(2);
            }
        }
    }

    private static void assertRefused(AwsServiceException e, String code) {
        assertThat(e.statusCode()).isEqualTo(503);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
    }
}
