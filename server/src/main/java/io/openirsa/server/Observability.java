package io.openirsa.server;

import io.openirsa.core.OpenIrsa;
import io.openirsa.core.audit.ApiCall;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * What an operator watches: Prometheus metrics (requests by service, action and error code, their
 * latency, JWKS fetches, audit write lag, whatever gauges the wiring adds) and one JSON log line per
 * request on the logger {@code io.openirsa.requests} (request id, action, principal, outcome,
 * latency; never a secret or a token).
 */
public final class Observability {
    private static final Logger REQUESTS = LoggerFactory.getLogger("io.openirsa.requests");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;

    public Observability(OpenIrsa domain) {
        requests = Counter.builder().name("openirsa_requests_total").help("API calls by service, action and error code (none when answered)")
                .labelNames("service", "action", "code").register(registry);
        latency = Histogram.builder().name("openirsa_request_duration_seconds").help("Time to answer an API call, audit record included")
                .labelNames("service", "action").register(registry);
        // The JVM's and the process's own figures (heap, GC, threads, CPU, open files) from the client's standard
        // collectors, registered beside the start rather than in it: about 0.1 s of a 2 s start (docs/benchmarks.md).
        Thread.ofPlatform().daemon().name("jvm-metrics-registration").start(() -> JvmMetrics.builder().register(registry));
        Info.builder().name("openirsa_build_info").help("This server's version").labelNames("version").register(registry)
                .addLabelValues(OpenIrsa.VERSION);
        counter("openirsa_jwks_fetches", "Discovery and JWKS fetches from identity providers", () -> domain.jwks().fetchCount());
        counter("openirsa_jwks_cache_hits", "Identity provider key lookups answered from the JWKS cache", () -> domain.jwks().hitCount());
        gauge("openirsa_issuer_oldest_signing_key_age_seconds", "Age of the oldest issuer key still signing (above the rotation period: rotation is stuck)",
                () -> domain.issuers().oldestPrimaryKeyAge().toSeconds());
        gauge("openirsa_audit_write_lag_seconds", "How long the last audit record waited for its commit",
                () -> domain.audit().lastWaitNanos() / 1e9);
        counter("openirsa_audit_commits", "Audit group commits, a transaction each (records per commit: openirsa_audit_records_total / this)", () -> domain.audit().commits());
        counter("openirsa_audit_records", "Audit records committed", () -> domain.audit().recordsCommitted());
        domain.audit().onRecord(this::observe);
    }

    /** A counter read when scraped, from a count kept since start: exposed as {@code NAME_total}. */
    public void counter(String name, String help, LongSupplier value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    /** A gauge read when scraped (pool usage, key ages, ...). */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    private void observe(ApiCall call) {
        String action = call.eventName();
        String code = call.errorCode() == null ? "none" : call.errorCode();
        long nanos = call.elapsedNanos();
        requests.labelValues(call.service(), action, code).inc();
        latency.labelValues(call.service(), action).observe(nanos / 1e9);
        if (REQUESTS.isInfoEnabled()) {
            // Key-value pairs: fields of their own in JSON logs, key=value after the message in plain ones.
            String outcome = call.errorCode() == null ? "ok" : call.errorCode();
            var line = REQUESTS.atInfo().addKeyValue("requestId", call.requestId()).addKeyValue("service", call.service())
                    .addKeyValue("action", action).addKeyValue("principal", call.principal()).addKeyValue("outcome", outcome)
                    .addKeyValue("httpStatus", call.httpStatus()).addKeyValue("sourceIp", call.sourceIp())
                    .addKeyValue("userAgent", call.userAgent()).addKeyValue("latencyMs", Math.round(nanos / 1e4) / 100.0);
            if (call.denialStage() != null) {
                line = line.addKeyValue("deniedAt", call.denialStage());
            }
            line.log("{} {} {}", call.service(), action, outcome);
        }
    }

    /** The Prometheus text exposition. */
    public WireResponse metrics() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new WireResponse(200, PrometheusTextFormatWriter.CONTENT_TYPE, Map.of(), out.toByteArray());
    }
}
