package io.openirsa.cli;


import com.nimbusds.jose.jwk.JWKSet;
import io.openirsa.store.JdbcStore;
import io.openirsa.store.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two server processes on one PostgreSQL: whatever one does, the other sees; sessions issued by one
 * verify on the other; a key rotation by one reaches the other; and one dying leaves the other serving.
 */
class ReplicasTest {
    static Process serve(Path data, String database, Path kek) throws Exception {
        Files.createDirectories(data);
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                "io.openirsa.cli.Main", "serve", "--data", data.toString(), "--listen", "127.0.0.1:0", "--database", database,
                "--key-encryption-key-file", kek.toString(),
                // Each replica here has its own loopback URL, so each fetches the other's issuers on loopback;
                // deployed replicas share one public URL (docs/deployment.md).
                "--allow-private-issuers")
                .redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile()).start();
    }

    @Test
    void twoReplicas_shareEverything_andOneSurvivesTheOther(@TempDir Path dir) throws Exception {
        String database = TestDatabases.freshPostgresDatabase();
        Path kek = Files.writeString(dir.resolve("kek"), Base64.getEncoder().encodeToString(new java.security.SecureRandom().generateSeed(32)));
        Process a = serve(dir.resolve("a"), database, kek);
        Process b = null;
        try {
            String endpointA = AuditReliabilityTest.awaitServer(dir.resolve("a"), a);
            b = serve(dir.resolve("b"), database, kek);
            String endpointB = AuditReliabilityTest.awaitServer(dir.resolve("b"), b);
            String keyId;
            String secret;
            try (JdbcStore store = JdbcStore.postgresql(database)) {
                var key = store.accessKeys("123456789012").get(0);
                keyId = key.accessKeyId();
                assertThat(key.secretAccessKey()).startsWith("kek1:"); // sealed at rest
                secret = new DataDir(dir.resolve("a")).keyEncryption().open(key.secretAccessKey());
                assertThat(store.keys("session-tokens")).hasSize(1).allSatisfy(k -> assertThat(k.material()).startsWith("kek1:"));
            }
            AwsCredentialsProvider admin = StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret));

            // Through A: a cluster, its provider, a role.
            String issuer;
            String roleArn;
            try (EksClient eks = EksClient.builder().endpointOverride(URI.create(endpointA)).region(Region.US_EAST_1).credentialsProvider(admin)
                    .httpClient(UrlConnectionHttpClient.create()).build();
                 IamClient iam = IamClient.builder().endpointOverride(URI.create(endpointA)).region(Region.AWS_GLOBAL).credentialsProvider(admin)
                         .httpClient(UrlConnectionHttpClient.create()).build()) {
                eks.createCluster(x -> x.name("shared").roleArn("arn:aws:iam::123456789012:role/eks").resourcesVpcConfig(v -> v.subnetIds("s")));
                issuer = eks.describeCluster(x -> x.name("shared")).cluster().identity().oidc().issuer();
                String provider = iam.createOpenIDConnectProvider(x -> x.url(issuer).clientIDList("sts.amazonaws.com")).openIDConnectProviderArn();
                roleArn = iam.createRole(x -> x.roleName("shared").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "app")))
                        .role().arn();
            }
            // Both replicas serve the clusters' Kubernetes API under one CA, kept sealed in the store.
            try (EksClient eksA = EksClient.builder().endpointOverride(URI.create(endpointA)).region(Region.US_EAST_1).credentialsProvider(admin)
                    .httpClient(UrlConnectionHttpClient.create()).build();
                 EksClient eksB = EksClient.builder().endpointOverride(URI.create(endpointB)).region(Region.US_EAST_1).credentialsProvider(admin)
                         .httpClient(UrlConnectionHttpClient.create()).build()) {
                String caA = eksA.describeCluster(x -> x.name("shared")).cluster().certificateAuthority().data();
                assertThat(caA).isNotEmpty();
                assertThat(eksB.describeCluster(x -> x.name("shared")).cluster().certificateAuthority().data()).isEqualTo(caA);
            }
            try (JdbcStore store = JdbcStore.postgresql(database)) {
                String clusterId = issuer.substring(issuer.lastIndexOf('/') + 1);
                assertThat(store.keys(clusterId)).allSatisfy(k -> assertThat(k.material()).startsWith("kek1:"));
                assertThat(store.keys("kubernetes-ca")).hasSize(1).allSatisfy(k -> assertThat(k.material()).startsWith("kek1:"));
            }
            String token = TokenCommand.request(new RemoteServer(endpointA, keyId, secret, null, "us-east-1"), "shared", "default", "app",
                    List.of("sts.amazonaws.com"), null);

            // On B: the role made on A is assumed; the session verifies on A.
            Credentials creds;
            try (StsClient stsB = sts(endpointB, AnonymousCredentialsProvider.create())) {
                String t = token;
                String r = roleArn;
                creds = stsB.assumeRoleWithWebIdentity(x -> x.roleArn(r).roleSessionName("replica").webIdentityToken(t)).credentials();
            }
            AwsCredentialsProvider session = StaticCredentialsProvider.create(AwsSessionCredentials.create(creds.accessKeyId(),
                    creds.secretAccessKey(), creds.sessionToken()));
            try (StsClient stsA = sts(endpointA, session)) {
                assertThat(stsA.getCallerIdentity().arn()).isEqualTo("arn:aws:sts::123456789012:assumed-role/shared/replica");
            }

            // A rotation started through A's data folder is published by B within about a second.
            assertThat(Main.allCommands().execute("keys", "rotate", "--cluster", "shared", "--data", dir.resolve("a").toString())).isZero();
            HttpClient http = HttpClient.newHttpClient();
            String jwksOnB = endpointB + issuer.substring(endpointA.length()) + "/.well-known/jwks.json";
            Instant deadline = Instant.now().plusSeconds(5);
            int published = 0;
            while (Instant.now().isBefore(deadline) && published < 2) {
                published = JWKSet.parse(http.send(HttpRequest.newBuilder(URI.create(jwksOnB)).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .getKeys().size();
                Thread.sleep(100);
            }
            assertThat(published).isEqualTo(2);

            // A dies under load on both; B keeps answering every call, the sessions A issued included.
            java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicInteger answeredByB = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger answeredByA = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> failedOnB = new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<Thread> load = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                load.add(Thread.ofPlatform().start(() -> {
                    try (StsClient stsB = sts(endpointB, session)) {
                        while (loading.get()) {
                            try {
                                assertThat(stsB.getCallerIdentity().arn()).endsWith(":assumed-role/shared/replica");
                                answeredByB.incrementAndGet();
                            } catch (Throwable t) {
                                failedOnB.add(t);
                            }
                        }
                    }
                }));
                load.add(Thread.ofPlatform().start(() -> {
                    try (StsClient stsA = sts(endpointA, session)) {
                        while (loading.get()) {
                            try {
                                stsA.getCallerIdentity();
                                answeredByA.incrementAndGet();
                            } catch (RuntimeException expectedOnceAIsDead) {
                                Thread.onSpinWait();
                            }
                        }
                    }
                }));
            }
            Thread.sleep(500);
            int beforeKill = answeredByB.get();
            a.destroyForcibly();
            assertThat(a.waitFor(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(1000);
            loading.set(false);
            for (Thread t : load) {
                t.join(30_000);
            }
            assertThat(answeredByA.get()).as("A was under load when it died").isPositive();
            assertThat(failedOnB).as("calls to B that failed").isEmpty();
            assertThat(answeredByB.get()).as("B answered after A died").isGreaterThan(beforeKill);
            try (StsClient stsB = sts(endpointB, AnonymousCredentialsProvider.create())) {
                String t = token;
                String r = roleArn;
                // The issuer's keys are cached on B (and kept while its issuer URL, on A, is down).
                assertThat(stsB.assumeRoleWithWebIdentity(x -> x.roleArn(r).roleSessionName("after").webIdentityToken(t))
                        .assumedRoleUser().arn()).endsWith("/after");
            }
        } finally {
            a.destroyForcibly();
            if (b != null) {
                b.destroyForcibly();
            }
        }
    }

    static StsClient sts(String endpoint, AwsCredentialsProvider credentials) {
        return StsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1).credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

}
