package io.openirsa.cli;

import io.openirsa.core.audit.AuditPage;
import io.openirsa.core.audit.AuditQuery;
import io.openirsa.store.JdbcStore;
import io.openirsa.store.PrivatePostgres;
import io.openirsa.store.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every answered call has exactly one audit record, whatever happens to the process or the database
 * under load: the server killed with SIGKILL, PostgreSQL shut down (fast and immediate), the disk
 * full. Meanwhile calls fail closed with 503 ServiceUnavailable, never a 500 and never a 200 without a
 * record, and succeed again when the database is back, without a restart.
 */
class AuditReliabilityTest {

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void killDashNine_underLoad_everyAnsweredCallHasExactlyOneRecord(String vendor, @TempDir Path data) throws Exception {
        String database = vendor.equals("sqlite") ? null : TestDatabases.freshPostgresDatabase();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.openirsa.cli.Main", "serve", "--data", data.toString(), "--listen", "127.0.0.1:0"));
        if (database != null) {
            command.addAll(List.of("--database", database));
        }
        Process server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile()).start();
        try {
            String endpoint = awaitServer(data, server);
            AwsCredentialsProvider admin;
            try (JdbcStore store = JdbcStore.open(database, data)) {
                var key = store.accessKeys("123456789012").get(0);
                admin = StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(),
                        new DataDir(data).keyEncryption().open(key.secretAccessKey()))); // sealed at rest
            }
            Load load;
            try (Load l = new Load(URI.create(endpoint), admin, sts -> sts.getCallerIdentity().responseMetadata().requestId())) {
                load = l;
                l.await(() -> l.answered.size() >= 300, "300 answered calls");
                server.destroyForcibly(); // SIGKILL, with the load still running
                assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(server.exitValue()).isEqualTo(137); // 128 + SIGKILL: it did not shut down cleanly
            assertThat(load.serverErrors).isEmpty();
            assertEveryAnsweredCallHasOneRecord(load, records(database, data));
        } finally {
            server.destroyForcibly();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fast", "immediate"})
    void postgresqlShutDown_underLoad_callsFailClosedAndRecoverWithoutARestart(String mode, @TempDir Path dir) throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start(dir);
             Fixture f = new Fixture(o -> o.withDatabase(pg.url()))) {
            String token = exchangeSetUp(f);
            try (Load load = exchanges(f, token)) {
                load.await(() -> load.answered.size() >= 200, "200 exchanges");
                pg.stop(mode);
                load.await(() -> load.refused.get() >= 20, "exchanges refused while PostgreSQL is down");
                int beforeRestart = load.answered.size();
                pg.start();
                load.await(() -> load.answered.size() >= beforeRestart + 200, "exchanges answered again once PostgreSQL is back");
                load.stop();
                assertThat(load.serverErrors).as("500s").isEmpty();
                assertEveryAnsweredCallHasOneRecord(load, records(pg.url(), dir));
            }
        }
    }

    @Test
    void diskFull_underLoad_callsFailClosedWithoutDuplicatesAndRecoverWithoutARestart(@TempDir Path dir) throws Exception {
        Path small = smallFileSystem(dir, "24m");
        try (Fixture f = new Fixture(o -> o.withData(small))) {
            String token = exchangeSetUp(f);
            try (Load load = exchanges(f, token)) {
                fillAndFree(small, load, () -> {
                });
                assertEveryAnsweredCallHasOneRecord(load, records(null, small));
            }
        } finally {
            run("umount", "-l", small.toString());
        }
    }

    /**
     * PostgreSQL's disk full: an INSERT that cannot extend its table fails (SQLSTATE 53100), and a WAL
     * segment that cannot be made stops the server (PANIC), which then cannot start until there is
     * space: the operator starts it again, as after any crash. OpenIRSA itself is not restarted.
     */
    @Test
    void postgresqlDiskFull_underLoad_callsFailClosedWithoutDuplicatesAndRecoverWithoutARestart(@TempDir Path dir) throws Exception {
        Path small = smallFileSystem(dir, "128m");
        try (PrivatePostgres pg = PrivatePostgres.start(small);
             Fixture f = new Fixture(o -> o.withDatabase(pg.url()))) {
            String token = exchangeSetUp(f);
            try (Load load = exchanges(f, token)) {
                fillAndFree(small, load, () -> {
                    if (!pg.running()) {
                        System.err.println("AuditReliabilityTest: PostgreSQL stopped on the full disk (PANIC); starting it again");
                        pg.start();
                    }
                });
                assertEveryAnsweredCallHasOneRecord(load, records(pg.url(), dir));
            }
        } finally {
            run("umount", "-l", small.toString());
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /**
     * Under load: fills the file system, waits for calls to be refused, frees the space, and waits for
     * calls to be answered again, doing {@code whileWaiting} meanwhile. No call may fail with a 500.
     */
    private static void fillAndFree(Path small, Load load, Step whileWaiting) throws Exception {
        load.await(() -> load.answered.size() >= 200, "200 exchanges");
        Path filler = small.resolve("filler");
        fill(filler);
        load.await(() -> load.refused.get() >= 20, "exchanges refused while the disk is full");
        Files.delete(filler);
        int afterSpace = load.answered.size();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (load.answered.size() < afterSpace + 200) {
            assertThat(Instant.now()).as("exchanges answered again once there is space (answered " + load.answered.size()
                    + ", refused " + load.refused.get() + ", errors " + load.serverErrors.size() + ")").isBefore(deadline);
            whileWaiting.run();
            Thread.sleep(200);
        }
        load.stop();
        assertThat(load.serverErrors).as("500s").isEmpty();
    }

    /** A tmpfs of this size in {@code dir}; the test is skipped where mounting is not permitted. */
    private static Path smallFileSystem(Path dir, String size) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // PostgreSQL's user goes through it
        Path small = Files.createDirectory(dir.resolve("small"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", small.toString()),
                "mounting a small tmpfs needs root (CAP_SYS_ADMIN)");
        return small;
    }

    /** A cluster, its provider, a role trusting default/app; the service account's token. */
    private static String exchangeSetUp(Fixture f) throws Exception {
        String issuer = f.createCluster("load");
        String provider = f.registerProvider(issuer);
        f.iam.createRole(b -> b.roleName("app").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "app")));
        return f.token("load", "default", "app");
    }

    private static Load exchanges(Fixture f, String token) {
        return new Load(f.endpoint(), AnonymousCredentialsProvider.create(), sts -> sts.assumeRoleWithWebIdentity(b -> b
                .roleArn("arn:aws:iam::123456789012:role/app").roleSessionName("load").webIdentityToken(token)).responseMetadata().requestId());
    }

    /** Writes until the file system is full. */
    private static void fill(Path filler) {
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            assertThat(full.getMessage()).containsIgnoringCase("space");
        }
    }

    private static void assertEveryAnsweredCallHasOneRecord(Load load, Map<String, Integer> records) {
        List<String> missing = load.answered.stream().filter(id -> !records.containsKey(id)).toList();
        List<String> repeated = records.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        assertThat(load.answered).hasSizeGreaterThanOrEqualTo(200);
        assertThat(missing).as("answered calls without a record, of " + load.answered.size()).isEmpty();
        assertThat(repeated).as("requests recorded more than once").isEmpty();
    }

    /** How many records each request id has: the whole trail, page by page, as the administrator reads it. */
    private static Map<String, Integer> records(String database, Path data) {
        Map<String, Integer> counts = new HashMap<>();
        try (JdbcStore store = JdbcStore.open(database, data)) {
            Long next = null;
            do {
                AuditPage page = store.lookupAudit(new AuditQuery(null, null, null, Instant.EPOCH, Instant.now().plusSeconds(3600), 50, next));
                page.records().forEach(r -> counts.merge(r.requestId(), 1, Integer::sum));
                next = page.next();
            } while (next != null);
        }
        return counts;
    }

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** Eight clients calling without retries: what was answered 200, refused with a 503, or failed with a 500. */
    static final class Load implements AutoCloseable {
        final Set<String> answered = ConcurrentHashMap.newKeySet();
        final AtomicInteger refused = new AtomicInteger();
        final ConcurrentLinkedQueue<String> serverErrors = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final ExecutorService threads = Executors.newFixedThreadPool(8);

        Load(URI endpoint, AwsCredentialsProvider credentials, Function<StsClient, String> call) {
            for (int t = 0; t < 8; t++) {
                threads.submit(() -> {
                    try (StsClient sts = StsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(credentials)
                            .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(1))).httpClient(UrlConnectionHttpClient.create()).build()) {
                        while (!stop.get()) {
                            try {
                                answered.add(call.apply(sts));
                            } catch (AwsServiceException e) {
                                if (e.statusCode() == 503 && e.awsErrorDetails().errorCode().equals("ServiceUnavailable")) {
                                    refused.incrementAndGet();
                                } else {
                                    serverErrors.add(e.statusCode() + " " + e.awsErrorDetails().errorCode() + ": " + e.getMessage());
                                }
                            } catch (SdkClientException e) {
                                if (stop.get()) {
                                    return null;
                                }
                                Thread.sleep(10); // the server was killed: what was answered before is what counts
                            }
                        }
                    }
                    return null;
                });
            }
        }

        void await(BooleanSupplier condition, String what) throws InterruptedException {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (!condition.getAsBoolean()) {
                assertThat(Instant.now()).as("waiting for " + what + " (answered " + answered.size() + ", refused " + refused.get()
                        + ", errors " + serverErrors.size() + ")").isBefore(deadline);
                Thread.sleep(20);
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            threads.shutdown();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        @Override
        public void close() throws InterruptedException {
            if (!stop.get()) {
                stop();
            }
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
                } catch (IOException e) {
                    // not listening yet
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the server did not start");
    }
}
