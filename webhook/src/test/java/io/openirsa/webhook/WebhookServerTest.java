package io.openirsa.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The webhook over HTTPS with a real AdmissionReview, and its certificate renewed while it runs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    Path dir;
    OpenSslCertificates certs;
    WebhookServer server;
    HttpClient client;
    SSLContext tls;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("webhook-tls");
        certs = new OpenSslCertificates(dir);
        certs.issue("first", false);
        Files.copy(dir.resolve("first.crt"), dir.resolve("tls.crt"));
        Files.copy(dir.resolve("first.key"), dir.resolve("tls.key"));
        Path accounts = Files.writeString(dir.resolve("service-accounts.yaml"),
                "default/my-app:\n  role-arn: arn:aws:iam::111122223333:role/my-app\n  sts-regional-endpoints: \"true\"\n");
        ServingCertificate keys = new ServingCertificate(dir.resolve("tls.crt"), dir.resolve("tls.key"));
        server = WebhookServer.start("127.0.0.1", 0, keys.sslContext(), WebhookSettings.defaults(), new FileServiceAccounts(accounts));

        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("ca.crt")))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        client = HttpClient.newBuilder().sslContext(ctx).build();
        tls = ctx;
    }

    @AfterAll
    void stop() {
        server.close();
    }

    URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> post(String contentType, byte[] body) throws Exception {
        // A new client per call would be a new TLS session; connection reuse is fine except where the test rotates.
        return client.send(HttpRequest.newBuilder(uri("/mutate")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void admissionReview_getsTheSameUidKindAndAPatch() throws Exception {
        byte[] review = getClass().getResourceAsStream("/admission-review-pod.json").readAllBytes();
        HttpResponse<String> r = post("application/json", review);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(answer.path("kind").asText()).isEqualTo("AdmissionReview");
        JsonNode response = answer.path("response");
        assertThat(response.path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");

        JsonNode pod = JSON.readTree(review).path("request").path("object");
        List<JsonNode> patch = JSON.readValue(Base64.getDecoder().decode(response.path("patch").asText()),
                JSON.getTypeFactory().constructCollectionType(List.class, JsonNode.class));
        JsonNode mutated = PodMutatorFixturesTest.apply(patch, pod);
        JsonNode app = mutated.path("spec").path("containers").get(0);
        assertThat(app.path("env").toString()).isEqualTo("[{\"name\":\"AWS_STS_REGIONAL_ENDPOINTS\",\"value\":\"regional\"},"
                + "{\"name\":\"AWS_ROLE_ARN\",\"value\":\"arn:aws:iam::111122223333:role/my-app\"},"
                + "{\"name\":\"AWS_WEB_IDENTITY_TOKEN_FILE\",\"value\":\"/var/run/secrets/eks.amazonaws.com/serviceaccount/token\"}]");
        assertThat(app.path("volumeMounts")).hasSize(2);
        assertThat(mutated.path("spec").path("volumes")).hasSize(2);
        assertThat(app.path("resources")).isEqualTo(pod.path("spec").path("containers").get(0).path("resources"));

        String metrics = client.send(HttpRequest.newBuilder(uri("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("openirsa_webhook_admissions_total{outcome=\"mutated\"}");
    }

    @Test
    void podOfAnotherServiceAccount_isAllowedWithoutPatch() throws Exception {
        String review = new String(getClass().getResourceAsStream("/admission-review-pod.json").readAllBytes()).replace("\"my-app\"", "\"other\"");
        JsonNode response = JSON.readTree(post("application/json", review.getBytes()).body()).path("response");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
    }

    @Test
    void wrongContentType_is415_andGarbage_is400() throws Exception {
        assertThat(post("text/plain", "{}".getBytes()).statusCode()).isEqualTo(415);
        assertThat(post("application/json", "not json".getBytes()).statusCode()).isEqualTo(400);
        assertThat(post("application/json", "{\"request\":{}}".getBytes()).statusCode()).isEqualTo(400);
        // A review whose pod is nonsense is still allowed: admission never blocks a pod.
        JsonNode odd = JSON.readTree(post("application/json", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u1\",\"object\":{\"spec\":{\"containers\":\"nope\"}}}}".getBytes()).body());
        assertThat(odd.path("response").path("allowed").asBoolean()).isTrue();
        assertThat(client.send(HttpRequest.newBuilder(uri("/healthz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void readiness_waitsForTheServiceAccounts_andTurnsOffWhenDraining() throws Exception {
        MapServiceAccounts accounts = new MapServiceAccounts();
        accounts.ready = false;
        WebhookServer other = WebhookServer.start("127.0.0.1", 0, new ServingCertificate(dir.resolve("tls.crt"), dir.resolve("tls.key")).sslContext(),
                WebhookSettings.defaults(), accounts);
        try {
            URI readyz = URI.create("https://127.0.0.1:" + other.port() + "/readyz");
            URI healthz = URI.create("https://127.0.0.1:" + other.port() + "/healthz");
            assertThat(client.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
            assertThat(client.send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("alive all the same").isEqualTo(200);
            accounts.ready = true;
            assertThat(client.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        } finally {
            other.close();
        }
    }

    @Test
    void metrics_passPromtool_withTheAdmissionHistogram_andTheCertificatesExpiry() throws Exception {
        byte[] review = getClass().getResourceAsStream("/admission-review-pod.json").readAllBytes();
        post("application/json", review);
        ServingCertificate keys = new ServingCertificate(dir.resolve("tls.crt"), dir.resolve("tls.key"));
        server.reportCertificateExpiry(keys::notAfter);
        String body = client.send(HttpRequest.newBuilder(uri("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(body).contains("# TYPE openirsa_webhook_admission_duration_seconds histogram", "openirsa_webhook_admission_duration_seconds_bucket",
                "# TYPE openirsa_webhook_admissions_total counter", "# TYPE jvm_memory_used_bytes gauge", "openirsa_build_info{version=")
                .contains("openirsa_webhook_certificate_expiry_timestamp_seconds " + (double) keys.notAfter().getEpochSecond());
        // Without promtool the Prometheus parser's check is skipped, saying so (.ci/run installs it, so CI always checks).
        org.junit.jupiter.api.Assumptions.assumeTrue(java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "promtool"))), "promtool is not installed (apt-get install prometheus)");
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(said).isZero();
    }

    @Test
    void renewedCertificate_isServedWithoutRestart() throws Exception {
        X509Certificate before = peer();
        certs.issue("second", true); // RSA in PKCS#1 this time
        // cert-manager swaps both files; give them a later modification time than the first pair.
        Files.copy(dir.resolve("second.key"), dir.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("second.crt"), dir.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING);
        FileTime later = FileTime.from(Instant.now().plusSeconds(5));
        Files.setLastModifiedTime(dir.resolve("tls.crt"), later);
        Files.setLastModifiedTime(dir.resolve("tls.key"), later);
        X509Certificate after = peer();
        assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
        assertThat(after.getSubjectX500Principal().getName()).isEqualTo("CN=second");
        assertThat(after.getPublicKey().getAlgorithm()).isEqualTo("RSA");
    }

    /** The certificate a fresh TLS connection is shown. */
    X509Certificate peer() throws Exception {
        HttpClient fresh = HttpClient.newBuilder().sslContext(client.sslContext()).build();
        HttpResponse<String> r = fresh.send(HttpRequest.newBuilder(uri("/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        SSLSession session = r.sslSession().orElseThrow();
        return (X509Certificate) session.getPeerCertificates()[0];
    }

    /**
     * Reviews whose bodies are still coming hold the budget for bodies in flight; past it a review gets a
     * 503 at once, before its body is read, and once they go, reviews are answered again.
     */
    /** The fixture's pod, with {@code env} entries added to its container up to about {@code bytes}. */
    static byte[] reviewWithEnv(int bytes, String entry) throws Exception {
        ObjectNode review = (ObjectNode) JSON.readTree(WebhookServerTest.class.getResourceAsStream("/admission-review-pod.json"));
        ArrayNode env = ((ObjectNode) review.path("request").path("object").path("spec").path("containers").get(0)).putArray("env");
        JsonNode one = JSON.readTree(entry);
        for (int i = 0, size = 0; size < bytes; i++, size += entry.length() + 1) {
            env.add(one.isObject() && one.has("name") ? ((ObjectNode) one.deepCopy()).put("name", "SETTING_" + i) : one);
        }
        return JSON.writeValueAsBytes(review);
    }

    @Test
    void aPodAsLargeAsEtcdStores_isAnswered() throws Exception {
        byte[] review = reviewWithEnv(1536 * 1024, "{\"name\":\"SETTING_000000\",\"value\":\"on\"}");
        HttpResponse<String> r = post("application/json", review);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("response").path("patchType").asText()).isEqualTo("JSONPatch");
    }

    @Test
    void aReviewWhoseTreeWouldPassTheBudgetAlone_is413() throws Exception {
        byte[] review = reviewWithEnv(2 * 1024 * 1024, "{}"); // some 700,000 tokens: a tree of over 48 MiB
        assertThat(AdmissionReviewHandler.heapFor(review)).isGreaterThan(WebhookServer.REVIEW_HEAP);
        HttpResponse<String> r = post("application/json", review);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(post("application/json", getClass().getResourceAsStream("/admission-review-pod.json").readAllBytes()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void reviewsInFlight_areBudgeted() throws Exception {
        List<SSLSocket> held = new ArrayList<>();
        long fit = WebhookServer.REVIEW_HEAP / (2L * WebhookServer.MAX_BODY); // a body is reserved twice while it is read
        int refused = 0;
        try {
            for (int i = 0; i < fit + 2; i++) {
                SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", server.port());
                s.setSoTimeout(1000); // an admitted review waits for the rest of its body; a refused one has its answer at once
                held.add(s);
                s.getOutputStream().write(("POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + WebhookServer.MAX_BODY + "\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
            for (SSLSocket s : held) {
                try {
                    if (new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII).equals("HTTP/1.1 503")) {
                        refused++;
                    }
                } catch (SocketTimeoutException admitted) {
                    // holds its share of the budget
                }
            }
        } finally {
            for (SSLSocket s : held) {
                s.close();
            }
        }
        assertThat(fit).isEqualTo(8);
        assertThat(refused).as("48 MiB holds eight 3 MiB reviews being read").isEqualTo(2);
        byte[] review = getClass().getResourceAsStream("/admission-review-pod.json").readAllBytes();
        int status = 0;
        for (long until = System.nanoTime() + 5_000_000_000L; status != 200 && System.nanoTime() < until; Thread.sleep(50)) {
            status = post("application/json", review).statusCode(); // the held reviews' budget returns as their connections close
        }
        assertThat(status).isEqualTo(200);
    }
}
