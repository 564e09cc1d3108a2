package io.openirsa.cli;

import io.openirsa.store.JdbcStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server killed with SIGKILL in the middle of a load loses no record of a call it answered: every
 * request id a client received is in the audit trail when the data folder is opened again.
 */
class AuditDurabilityTest {

    @Test
    void killDashNine_midLoad_losesNoAnsweredCall(@TempDir Path data) throws Exception {
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.openirsa.cli.Main", "serve", "--data", data.toString(), "--listen", "127.0.0.1:0")
                .redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile()).start();
        try {
            String endpoint = awaitServer(data, server);
            String keyId;
            String secret;
            try (JdbcStore store = JdbcStore.sqlite(data)) {
                var key = store.accessKeys("123456789012").get(0);
                keyId = key.accessKeyId();
                secret = new DataDir(data).keyEncryption().open(key.secretAccessKey()); // sealed at rest
            }
            Set<String> answered = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService load = Executors.newFixedThreadPool(8);
            for (int t = 0; t < 8; t++) {
                load.submit(() -> {
                    try (StsClient sts = StsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                            .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1)))
                            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
                            .httpClient(UrlConnectionHttpClient.create()).build()) {
                        while (!stop.get()) {
                            answered.add(sts.getCallerIdentity().responseMetadata().requestId());
                        }
                    } catch (RuntimeException e) {
                        // the server died under us: what was answered before is what counts
                    }
                });
            }
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (answered.size() < 300 && Instant.now().isBefore(deadline)) {
                Thread.sleep(20);
            }
            server.destroyForcibly(); // SIGKILL, with the load still running
            assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
            stop.set(true);
            load.shutdown();
            assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).isEqualTo(137); // 128 + SIGKILL: it did not shut down cleanly

            List<String> missing = new ArrayList<>();
            try (JdbcStore store = JdbcStore.sqlite(data)) {
                for (String id : answered) {
                    if (store.auditByRequestId(id).isEmpty()) {
                        missing.add(id);
                    }
                }
            }
            assertThat(answered).hasSizeGreaterThanOrEqualTo(300);
            assertThat(missing).as("answered calls without a record, of " + answered.size()).isEmpty();
        } finally {
            server.destroyForcibly();
        }
    }

    static String awaitServer(Path data, Process server) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            assertThat(server.isAlive()).as("server alive: " + (Files.exists(data.resolve("server.log")) ? Files.readString(data.resolve("server.log")) : "")).isTrue();
            Path info = data.resolve("server.json");
            if (Files.exists(info)) {
                String endpoint = new com.fasterxml.jackson.databind.ObjectMapper().readTree(info.toFile()).path("endpoint").asText();
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create(endpoint + "/healthz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                        return endpoint;
                    }
                } catch (java.io.IOException e) {
                    // not listening yet
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the server did not start");
    }
}
