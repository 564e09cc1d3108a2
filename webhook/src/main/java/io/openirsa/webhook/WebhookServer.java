package io.openirsa.webhook;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.openirsa.core.Budget;
import io.openirsa.core.OpenIrsa;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The webhook on HTTPS (TLS 1.2 and 1.3): {@code POST /mutate} (AdmissionReview), {@code GET /healthz}
 * (200 once ServiceAccounts can be looked up), {@code GET /metrics} (Prometheus text).
 */
public final class WebhookServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
    static final int MAX_BODY = 3 * 1024 * 1024; // the API server sends at most 3 MiB objects
    /** Connections open at once, as the API server's (OpenIrsaServer.MAX_CONNECTIONS has the reasoning). */
    static final int MAX_CONNECTIONS = 512;
    static final Duration IDLE_CONNECTION = Duration.ofSeconds(60);
    /**
     * Heap that AdmissionReviews may hold at once, in bytes: twice a review's declared length (MAX_BODY
     * for a chunked one) while its body is read, then {@link AdmissionReviewHandler#heapFor} while it is
     * answered. Past it a review gets a 503, which the API server handles by the webhook's
     * failurePolicy. 100 callers sending 2 MB reviews of small members once ran the 128 MiB webhook
     * out of memory. A pod as large as etcd stores by default (1.5 MiB of env entries, counted at 32 MiB) fits;
     * real reviews are 5-20 KB (under 2 MiB as trees), so hundreds fit.
     */
    static final long REVIEW_HEAP = 48L * 1024 * 1024;
    private final Budget reviewHeap = new Budget(REVIEW_HEAP);

    private final WebServer server;
    private final AdmissionReviewHandler handler;
    private final ServiceAccounts serviceAccounts;
    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final PodIdentityAssociations podIdentity;
    private final Histogram latency;

    /** Exposes when the serving certificate expires, as Unix seconds: renewal (cert-manager) can be alerted on. */
    public void reportCertificateExpiry(Supplier<Instant> notAfter) {
        GaugeWithCallback.builder().name("openirsa_webhook_certificate_expiry_timestamp_seconds")
                .help("When the serving certificate now in use expires (Unix time)")
                .callback(cb -> cb.call(notAfter.get().getEpochSecond())).register(registry);
    }

    private WebhookServer(String host, int port, SSLContext tls, WebhookSettings settings, ServiceAccounts serviceAccounts,
                          PodIdentityAssociations podIdentity, String podIdentityAgent) {
        this.serviceAccounts = serviceAccounts;
        this.podIdentity = podIdentity;
        Counter admissions = Counter.builder().name("openirsa_webhook_admissions_total")
                .help("Pod admissions by outcome").labelNames("outcome").register(registry);
        this.latency = Histogram.builder().name("openirsa_webhook_admission_duration_seconds")
                .help("Time to answer an AdmissionReview, body read to answer written").register(registry);
        JvmMetrics.builder().register(registry);
        Info.builder().name("openirsa_build_info").help("This webhook's version").labelNames("version").register(registry)
                .addLabelValues(OpenIrsa.VERSION);
        this.handler = new AdmissionReviewHandler(new PodMutator(settings, serviceAccounts, podIdentity, podIdentityAgent), admissions);
        var builder = WebServer.builder().host(host).port(port).maxPayloadSize(MAX_BODY)
                .maxTcpConnections(MAX_CONNECTIONS).idleConnectionTimeout(IDLE_CONNECTION)
                .routing(r -> r.any(this::route));
        if (tls != null) {
            builder.tls(t -> t.sslContext(tls).enabledProtocols(List.of("TLSv1.3", "TLSv1.2")));
        }
        this.server = builder.build();
    }

    /** @param tls null serves plain HTTP (tests, or behind a TLS-terminating proxy) */
    public static WebhookServer start(String host, int port, SSLContext tls, WebhookSettings settings, ServiceAccounts serviceAccounts) {
        return start(host, port, tls, settings, serviceAccounts, PodIdentityAssociations.NONE, PodMutator.POD_IDENTITY_AGENT);
    }

    /** @param podIdentity service accounts whose pods get EKS Pod Identity (preferred over IRSA); podIdentityAgent where pods reach the agent */
    public static WebhookServer start(String host, int port, SSLContext tls, WebhookSettings settings, ServiceAccounts serviceAccounts,
                                      PodIdentityAssociations podIdentity, String podIdentityAgent) {
        WebhookServer s = new WebhookServer(host, port, tls, settings, serviceAccounts, podIdentity, podIdentityAgent);
        s.server.start();
        return s;
    }

    public int port() {
        return server.port();
    }

    private void route(ServerRequest req, ServerResponse res) {
        String path = req.path().rawPath();
        String method = req.prologue().method().text();
        try {
            if (path.equals("/healthz") && method.equals("GET")) {
                res.status(200).header("Content-Type", "text/plain").send("ok");
            } else if (path.equals("/readyz") && method.equals("GET")) {
                // Ready: the ServiceAccounts are synced and the process is not draining (Kubernetes stops sending admissions).
                boolean ready = !draining && serviceAccounts.ready();
                res.status(ready ? 200 : 503).header("Content-Type", "text/plain")
                        .send(ready ? "ready" : draining ? "shutting down" : "service accounts not synced yet");
            } else if (path.equals("/metrics") && method.equals("GET")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                PrometheusTextFormatWriter.create().write(out, registry.scrape());
                res.header("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE).send(out.toByteArray());
            } else if (path.equals("/mutate") && method.equals("POST")) {
                mutate(req, res);
            } else {
                res.status(404).header("Content-Type", "text/plain").send("not found");
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("request {} {} failed", method, path, e);
            res.status(500).header("Content-Type", "text/plain").send("internal error");
        }
    }

    private void mutate(ServerRequest req, ServerResponse res) throws IOException {
        String contentType = req.headers().contentType().map(m -> m.mediaType().text()).orElse("");
        if (!contentType.toLowerCase(Locale.ROOT).equals("application/json")) {
            res.status(415).header("Content-Type", "text/plain").send("Invalid Content-Type, expected `application/json`");
            return;
        }
        long declared = req.headers().contentLength().orElse(-1);
        // Twice the length: InputStream.readNBytes reads into pieces, then copies them into one array.
        long reserved = 2 * (declared >= 0 && declared <= MAX_BODY ? declared : MAX_BODY);
        if (!reviewHeap.take(reserved)) {
            tooMany(res);
            return;
        }
        try {
            byte[] body;
            try (InputStream in = req.content().inputStream()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            long heap = AdmissionReviewHandler.heapFor(body);
            if (reserved + heap > REVIEW_HEAP) {
                res.status(413).header("Content-Type", "text/plain").send("the review's JSON is too large to answer");
            } else if (!reviewHeap.take(heap)) {
                tooMany(res);
            } else {
                try {
                    review(body, res);
                } finally {
                    reviewHeap.give(heap);
                }
            }
        } finally {
            reviewHeap.give(reserved);
        }
    }

    private static void tooMany(ServerResponse res) {
        res.status(503).header("Content-Type", "text/plain").send("too many admission reviews in flight");
    }

    private void review(byte[] body, ServerResponse res) {
        long started = System.nanoTime();
        try {
            byte[] answer = handler.handle(body);
            latency.observe((System.nanoTime() - started) / 1e9);
            res.header("Content-Type", "application/json").send(answer);
        } catch (AdmissionReviewHandler.UnreadableReview e) {
            res.status(400).header("Content-Type", "text/plain").send(e.getMessage());
        }
    }

    private volatile boolean draining;

    /**
     * Stops gracefully: {@code /readyz} turns 503 first, admissions in flight finish (Helidon's stop
     * waits for them), then the watches close. The pod's preStop delay keeps it serving while its
     * endpoint is removed, so a rolling update drops no admission.
     */
    @Override
    public void close() {
        draining = true;
        server.stop();
        serviceAccounts.close();
        podIdentity.close();
    }
}
