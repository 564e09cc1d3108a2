package io.openirsa.cli;

import io.openirsa.store.CuttableProxy;
import io.openirsa.store.JdbcStore;
import io.openirsa.store.TestDatabases;
import io.openirsa.core.audit.AuditQuery;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The database goes away under a running server (a proxy in front of PostgreSQL cuts every
 * connection): token exchanges it has answered before still work, writes fail with ServiceFailure
 * and leave nothing behind, /readyz says so, and the audit records of the outage are written once
 * the database is back.
 */
class PostgresOutageTest {

    @Test
    void exchangesSurviveAnOutageWritesFailWholeAndAuditCatchesUp() throws Exception {
        String database = TestDatabases.freshPostgresDatabase();
        try (CuttableProxy proxy = CuttableProxy.to(database);
             Fixture f = new Fixture(o -> new RunningServer.Options(o.data(), o.host(), o.port(), o.publicUrl(), o.accountId(), o.region(),
                     o.maxTokenSeconds(), o.keyRotationPeriod(), o.jwksStaleIfError(), o.auditRetention(), proxy.url(database), null, o.clock(), o.privateIssuers()))) {
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

            // Reads the server made before are answered from its cache.
            Credentials during = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn).roleSessionName("during").webIdentityToken(token)).credentials();
            assertThat(f.sts(during).getCallerIdentity().arn()).isEqualTo("arn:aws:sts::123456789012:assumed-role/outage/during");
            assertThat(f.sts(before).getCallerIdentity().arn()).endsWith("/before");
            // A write is refused with IAM's ServiceFailure, never half done.
            AwsServiceException refused = catchThrowableOfType(AwsServiceException.class, () -> f.iam.createRole(b -> b.roleName("written-during-outage")
                    .assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "other"))));
            assertThat(refused.statusCode()).isEqualTo(500);
            assertThat(refused.awsErrorDetails().errorCode()).isEqualTo("ServiceFailure");
            assertThat(refused.getMessage()).doesNotContain("postgresql", "127.0.0.1:");
            // Within Kubernetes' default probe timeout (1 s): a slower answer would count as a failure of its own.
            for (int i = 0; i < 3; i++) {
                assertThat(http.send(HttpRequest.newBuilder(readyz).timeout(java.time.Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
            }
            // Each API answers the outage in its own protocol, with its own code for an internal error.
            var noRetries = software.amazon.awssdk.core.client.config.ClientOverrideConfiguration.builder()
                    .retryStrategy(b -> b.maxAttempts(1)).build();
            var admin = software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(software.amazon.awssdk.auth.credentials.AwsBasicCredentials
                    .create(f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey()));
            try (var eks = software.amazon.awssdk.services.eks.EksClient.builder().endpointOverride(f.endpoint())
                    .region(software.amazon.awssdk.regions.Region.US_EAST_1).credentialsProvider(admin).overrideConfiguration(noRetries)
                    .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();
                 var cloudtrail = software.amazon.awssdk.services.cloudtrail.CloudTrailClient.builder().endpointOverride(f.endpoint())
                         .region(software.amazon.awssdk.regions.Region.US_EAST_1).credentialsProvider(admin).overrideConfiguration(noRetries)
                         .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
                AwsServiceException eksRefused = catchThrowableOfType(AwsServiceException.class, () -> eks.createCluster(b -> b.name("during-outage")
                        .roleArn("arn:aws:iam::123456789012:role/eks").resourcesVpcConfig(v -> v.subnetIds("subnet-1"))));
                assertThat(eksRefused.statusCode()).isEqualTo(500);
                assertThat(eksRefused.awsErrorDetails().errorCode()).isEqualTo("ServerException");
                AwsServiceException lookupRefused = catchThrowableOfType(AwsServiceException.class, () -> cloudtrail.lookupEvents(b -> b.maxResults(5)));
                assertThat(lookupRefused.statusCode()).isEqualTo(500);
                assertThat(lookupRefused.awsErrorDetails().errorCode()).isEqualTo("InternalFailure");
            }

            proxy.restore();

            // Ready again, nothing of the refused write, and the outage's calls in the audit trail.
            Instant deadline = Instant.now().plusSeconds(20);
            while (Instant.now().isBefore(deadline) && http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString()).statusCode() != 200) {
                Thread.sleep(200);
            }
            assertThat(http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            try (JdbcStore store = JdbcStore.postgresql(database)) {
                assertThat(store.role("123456789012", "written-during-outage")).isEmpty();
                long exchanges = 0;
                while (Instant.now().isBefore(deadline)) {
                    exchanges = store.lookupAudit(new AuditQuery("123456789012", "event_name", "AssumeRoleWithWebIdentity",
                            Instant.now().minusSeconds(600), Instant.now().plusSeconds(60), 50, null)).records().size();
                    if (exchanges >= 2) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertThat(exchanges).as("the exchange made during the outage is audited once the database is back").isEqualTo(2);
            }
        }
    }
}
