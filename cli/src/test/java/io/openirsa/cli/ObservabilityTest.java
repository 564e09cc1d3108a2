package io.openirsa.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What an operator sees: /metrics after real calls, /readyz, and one JSON request-log line per call without secrets. */
class ObservabilityTest extends ServerTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final Logger requestLog = (Logger) LoggerFactory.getLogger("io.openirsa.requests");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    String roleArn;

    @BeforeAll
    void setUp() {
        String issuer = f.createCluster("obs");
        String provider = f.registerProvider(issuer);
        roleArn = f.iam.createRole(b -> b.roleName("obs").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "obs"))).role().arn();
    }

    @BeforeEach
    void captureRequestLog() {
        lines.start();
        requestLog.addAppender(lines);
        requestLog.setLevel(Level.INFO);
    }

    @AfterEach
    void releaseRequestLog() {
        requestLog.setLevel(Level.OFF);
        requestLog.detachAppender(lines);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(f.server.endpoint() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Credentials assume(String token) {
        return f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn).roleSessionName("obs-session").webIdentityToken(token)).credentials();
    }

    @Test
    void metricsCountCallsByActionAndErrorCode() throws Exception {
        String token = f.token("obs", "default", "obs");
        assume(token);
        assume(token);
        String wrongAccount = f.token("obs", "default", "someone-else");
        assertThat(catchThrowableOfType(AwsServiceException.class, () -> assume(wrongAccount)).awsErrorDetails().errorCode()).isEqualTo("AccessDenied");

        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        assertThat(sample(metrics.body(), "openirsa_requests_total{action=\"AssumeRoleWithWebIdentity\",code=\"none\",service=\"sts\"}")).isGreaterThanOrEqualTo(2);
        assertThat(sample(metrics.body(), "openirsa_requests_total{action=\"AssumeRoleWithWebIdentity\",code=\"AccessDenied\",service=\"sts\"}")).isGreaterThanOrEqualTo(1);
        assertThat(sample(metrics.body(), "openirsa_request_duration_seconds_count{action=\"AssumeRoleWithWebIdentity\",service=\"sts\"}")).isGreaterThanOrEqualTo(3);
        assertThat(metrics.body()).contains("openirsa_jwks_fetches_total", "openirsa_jwks_cache_hits_total", "openirsa_audit_write_lag_seconds",
                "openirsa_db_connections_active", "openirsa_db_cache_hits", "openirsa_issuer_oldest_signing_key_age_seconds");
        // Three calls audited at least: as many records, in at most as many commits.
        double records = sample(metrics.body(), "openirsa_audit_records_total");
        assertThat(records).isGreaterThanOrEqualTo(3);
        assertThat(sample(metrics.body(), "openirsa_audit_commits_total")).isBetween(1.0, records);
        assertThat(metrics.body()).doesNotContain(token);
    }

    @Test
    void theExposition_passesPromtool_withCountersTypedAsCounters_andTheJvmsOwnMetrics() throws Exception {
        f.token("obs", "default", "obs");
        String body = get("/metrics").body();
        for (int i = 0; i < 100 && !body.contains("jvm_memory_used_bytes"); i++) { // the JVM's are registered beside the start
            Thread.sleep(50);
            body = get("/metrics").body();
        }
        assertThat(promtool(body)).isEmpty();
        for (String counter : List.of("openirsa_jwks_fetches", "openirsa_jwks_cache_hits", "openirsa_audit_commits", "openirsa_audit_records",
                "openirsa_db_cache_hits", "openirsa_db_stale_reads", "openirsa_requests")) {
            assertThat(body).contains("# TYPE " + counter + "_total counter\n");
        }
        assertThat(body).doesNotContain("# TYPE openirsa_jwks_fetches gauge").contains("openirsa_build_info{version=\"" + io.openirsa.core.OpenIrsa.VERSION + "\"} 1")
                .contains("# TYPE jvm_memory_used_bytes gauge", "# TYPE process_cpu_seconds_total counter", "# TYPE jvm_gc_collection_seconds");
        assertThat(promtool(body.replace("# TYPE openirsa_build_info gauge", "# TYPE openirsa_build_info nonsense")))
                .as("the check can fail").isNotEmpty();
    }

    /**
     * What {@code promtool check metrics} says is wrong with an exposition: empty when nothing. Without
     * promtool on the machine the test is skipped, saying so (.ci/run installs it, so CI always checks).
     */
    static String promtool(String exposition) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("promtool"),
                "promtool is not installed (apt-get install prometheus): the exposition is not checked by Prometheus's parser");
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(exposition.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? "" : said.isBlank() ? "promtool failed" : said;
    }

    static boolean onPath(String program) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(dir -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program)));
    }

    @Test
    void readyWhileStoreAndKeysAnswer() throws Exception {
        HttpResponse<String> ready = get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ready");
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void oneJsonLinePerCallWithoutSecrets() throws Exception {
        String token = f.token("obs", "default", "obs");
        Credentials c = assume(token);
        f.sts(c).getCallerIdentity();
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA";
        catchThrowableOfType(AwsServiceException.class, () -> assume(forged));

        // Each line as the JSON log format writes it (logback's JsonEncoder, as LogSetup configures it).
        List<JsonNode> logged = lines.list.stream().map(ObservabilityTest::fields).toList();
        assertThat(logged).allSatisfy(l -> assertThat(l.path("httpStatus").asInt()).as(l.toString()).isBetween(200, 599));
        JsonNode assumed = logged.stream().filter(l -> l.path("action").asText().equals("AssumeRoleWithWebIdentity") && l.path("outcome").asText().equals("ok")).findFirst().orElseThrow();
        assertThat(assumed.path("service").asText()).isEqualTo("sts");
        assertThat(assumed.path("requestId").asText()).isNotBlank();
        assertThat(assumed.path("latencyMs").asDouble()).isPositive();
        JsonNode whoAmI = logged.stream().filter(l -> l.path("action").asText().equals("GetCallerIdentity")).findFirst().orElseThrow();
        assertThat(whoAmI.path("principal").asText()).contains("assumed-role/obs/obs-session");
        JsonNode refused = logged.stream().filter(l -> l.path("outcome").asText().equals("InvalidIdentityToken")).findFirst().orElseThrow();
        assertThat(refused.path("deniedAt").asText()).isNotBlank();

        assertThat(assumed.path("httpStatus").asInt()).isEqualTo(200);
        assertThat(assumed.path("sourceIp").asText()).isEqualTo("127.0.0.1");
        assertThat(assumed.path("userAgent").asText()).contains("aws-sdk-java");
        assertThat(refused.path("httpStatus").asInt()).isEqualTo(400);

        String all = String.join("\n", lines.list.stream().map(e -> new String(LogSetup.jsonEncoder(new ch.qos.logback.classic.LoggerContext())
                .encode(e), java.nio.charset.StandardCharsets.UTF_8)).toList());
        assertThat(all).doesNotContain(token.substring(token.indexOf('.') + 1, token.lastIndexOf('.')))
                .doesNotContain(c.secretAccessKey()).doesNotContain(c.sessionToken()).doesNotContain(forged);
    }

    /** The fields of a request line in the JSON format: its key-value pairs, as one object. */
    private static JsonNode fields(ILoggingEvent e) {
        JsonNode line = read(new String(LogSetup.jsonEncoder(new ch.qos.logback.classic.LoggerContext()).encode(e),
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(line.has("timestamp") && line.has("level") && line.has("loggerName") && line.has("formattedMessage")).as(line.toString()).isTrue();
        var out = new ObjectMapper().createObjectNode();
        for (JsonNode kv : line.path("kvpList")) {
            kv.fields().forEachRemaining(f -> out.set(f.getKey(), f.getValue()));
        }
        return out;
    }

    private static JsonNode read(String line) {
        try {
            return new ObjectMapper().readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }

    private static double sample(String exposition, String series) {
        return exposition.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + series + " in\n" + exposition));
    }
}
