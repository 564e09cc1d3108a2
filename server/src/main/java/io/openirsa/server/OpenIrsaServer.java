package io.openirsa.server;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.Budget;
import io.openirsa.core.Identifiers;
import io.openirsa.core.OpenIrsa;
import io.openirsa.core.audit.AuditLog;
import io.openirsa.core.eks.ClusterCertificateAuthority;
import io.openirsa.core.store.StoreUnavailable;
import io.openirsa.server.admin.AccountsApi;
import io.openirsa.server.cloudtrail.CloudTrailApi;
import io.openirsa.server.eks.EksApi;
import io.openirsa.server.eks.EksAuthApi;
import io.openirsa.server.issuer.IssuerApi;
import io.openirsa.server.query.QueryApi;
import io.openirsa.server.sigv4.SigV4;
import io.openirsa.server.sigv4.SigV4Verifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The HTTP listener that serves every API, and beside it, when started, the same routes over TLS for
 * the clusters' Kubernetes API endpoint (kubectl and client-go send bearer tokens over TLS only).
 * Routing is by path, in one place:
 * <pre>
 *   GET  /healthz                                  ready
 *   POST /, GET /                                  STS and IAM (query protocol)
 *   /clusters, /clusters/{name}                    EKS (REST-JSON)
 *   /cluster-registrations[/{name}]                EKS RegisterCluster, DeregisterCluster (REST-JSON)
 *   /clusters/{name}/pod-identity-associations[/{id}]   EKS Pod Identity associations (REST-JSON)
 *   POST /clusters/{name}/assume-role-for-pod-identity   EKS Auth (REST-JSON)
 *   POST /clusters/{name}/api/v1/namespaces/{ns}/serviceaccounts/{sa}/token   Kubernetes TokenRequest
 *   GET, POST /clusters/{name}/openirsa/v1/signer   a cluster's external JWT signer (OpenIRSA's own)
 *   GET  /clusters/{name}/openirsa/v1/issuer       a cluster's issuer and keys, to publish (OpenIRSA's own)
 *   GET  /id/{clusterId}/.well-known/...           OIDC discovery and JWKS
 *   POST / with X-Amz-Target CloudTrail_20131101.*  CloudTrail (JSON 1.1)
 *   POST /openirsa/v1/accounts                     create an account (OpenIRSA's own)
 * </pre>
 */
public final class OpenIrsaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenIrsaServer.class);
    static final int MAX_BODY = 1024 * 1024;
    static final int MAX_HEADERS = 32 * 1024;
    /**
     * Connections open at once. Each may hold up to MAX_HEADERS of a header block it has not finished:
     * 2,569 connections with 60 KB of headers each ran a 96 MiB server out of memory. 512 x 32 KiB is
     * 16 MiB; more connections wait in the listen queue. SDK clients keep a handful each.
     */
    static final int MAX_CONNECTIONS = 512;
    /** Connections to the Kubernetes API port: kubectl's few, within the same memory bound as MAX_CONNECTIONS' reasoning. */
    static final int KUBERNETES_CONNECTIONS = 64;
    /** A connection that sends nothing for this long is closed, so held connections free up. */
    static final Duration IDLE_CONNECTION = Duration.ofSeconds(60);
    /** Bodies over MAX_BODY are read and dropped up to this size, so the client still gets its 413. */
    static final long MAX_DRAINED = 16L * 1024 * 1024;
    /**
     * Request bodies being read or handled at once, in bytes (declared lengths, MAX_BODY for chunked
     * ones). Past it a request gets a 503 before its body is read: 400 clients holding 1 MB bodies
     * open ran a 96 MiB heap out of memory. Real calls are a few KiB, so thousands fit.
     */
    static final long BODY_BUDGET = 16L * 1024 * 1024;

    private final WebServer server;
    private volatile WebServer kubernetes;
    private final QueryApi query;
    private final EksApi eks;
    private final EksAuthApi eksAuth;
    private final IssuerApi issuer;
    private final CloudTrailApi cloudTrail;
    private final AccountsApi accounts;
    private final Observability observability;
    private final BooleanSupplier ready;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    private OpenIrsaServer(OpenIrsa domain, String host, int port, BooleanSupplier ready) {
        this.ready = ready;
        this.observability = new Observability(domain);
        SigV4Verifier verifier = new SigV4Verifier(domain.authenticator()::resolve, domain.settings().clock(), domain.settings().region());
        this.query = new QueryApi(domain, verifier);
        this.eks = new EksApi(domain, verifier);
        this.eksAuth = new EksAuthApi(domain, verifier);
        this.issuer = new IssuerApi(domain, verifier);
        this.cloudTrail = new CloudTrailApi(domain, verifier);
        this.accounts = new AccountsApi(domain, verifier);
        this.server = listener(host, port).build();
    }

    private WebServerConfig.Builder listener(String host, int port) {
        return WebServer.builder()
                .host(host)
                .port(port)
                .maxPayloadSize(MAX_DRAINED)
                .maxTcpConnections(MAX_CONNECTIONS)
                .idleConnectionTimeout(IDLE_CONNECTION)
                // Helidon's 16 KiB default answered larger header blocks itself: an empty 400, then a close that
                // could reset the connection before the client read it (HostileInputTest's 26 KB Authorization,
                // now and then). Up to 32 KiB the request reaches us and gets AWS's error.
                .addProtocol(Http1Config.builder().maxHeadersSize(MAX_HEADERS).build())
                .routing(r -> r.any(this::handle));
    }

    /**
     * Serves the same routes over TLS on a second port, with this key and certificate chain: the
     * clusters' Kubernetes API endpoint. Returns the port.
     */
    public int startKubernetes(String host, int port, ClusterCertificateAuthority.Serving serving) {
        WebServer tls = listener(host, port)
                .maxTcpConnections(KUBERNETES_CONNECTIONS)
                .tls(t -> t.privateKey(serving.key()).privateKeyCertChain(serving.chain()))
                .build();
        tls.start();
        if (!tls.isRunning() || tls.port() < 0) {
            tls.stop();
            throw new IllegalStateException("cannot listen on " + host + ":" + port + " for the clusters' Kubernetes API");
        }
        kubernetes = tls;
        return tls.port();
    }

    /**
     * Builds a throwaway web server, not started, on a thread of its own: Helidon's classes then load
     * (about 0.2 s) while the caller opens the store, instead of after it (docs/benchmarks.md).
     */
    public static void loadClassesAside() {
        Thread.ofPlatform().daemon().name("http-classes").start(() -> WebServer.builder().routing(r -> r.any((req, res) -> res.send())).build());
    }

    /** @param ready whether the store answers and the keys are loaded (for /readyz) */
    public static OpenIrsaServer start(OpenIrsa domain, String host, int port, BooleanSupplier ready) {
        OpenIrsaServer s = new OpenIrsaServer(domain, host, port, ready);
        s.server.start();
        if (!s.server.isRunning() || s.server.port() < 0) {
            // Helidon logs the bind failure and stops, but start() returns: say it, rather than run without a listener.
            s.server.stop();
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": the address is in use or not available here");
        }
        return s;
    }

    public int port() {
        return server.port();
    }

    public Observability observability() {
        return observability;
    }

    /** Stops taking new work (/readyz turns 503), waits up to 10 s for requests in flight, then stops. */
    @Override
    public void close() {
        draining = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        server.stop();
        if (kubernetes != null) {
            kubernetes.stop();
        }
    }

    private final Budget bodyBytes = new Budget(BODY_BUDGET);
    /** An OutOfMemoryError was thrown while serving: the process is no longer fit to serve. */
    private volatile boolean exhausted;

    private void handle(ServerRequest req, ServerResponse res) {
        inFlight.incrementAndGet();
        try {
            handleCounted(req, res);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void handleCounted(ServerRequest req, ServerResponse res) {
        long reserved = bodyReservation(req);
        if (!bodyBytes.take(reserved)) {
            String requestId = Identifiers.timeOrderedUuid();
            LOG.debug("request {} refused: {} bytes of request bodies already in flight", requestId, bodyBytes.held());
            respond(res, requestId, failure(withoutBody(req), requestId, Failure.UNAVAILABLE));
            return;
        }
        try {
            handleWithin(req, res);
        } finally {
            bodyBytes.give(reserved);
        }
    }

    /** What a request's body may take while it is read and handled. */
    private static long bodyReservation(ServerRequest req) {
        if (!req.content().hasEntity()) {
            return 0;
        }
        long declared = req.headers().contentLength().orElse(-1);
        return declared >= 0 && declared <= MAX_BODY ? declared : MAX_BODY;
    }

    private void handleWithin(ServerRequest req, ServerResponse res) {
        String requestId = Identifiers.timeOrderedUuid();
        WireResponse response;
        WireRequest request = null;
        try {
            request = read(req);
            response = route(request, requestId);
        } catch (BodyTooLarge e) {
            response = WireResponse.of(413, "application/json", Json.write(Map.of("message", "Request body is larger than " + MAX_BODY + " bytes")));
        } catch (AuditLog.AuditNotCommitted e) {
            // Fail closed: no answer, credentials or change leaves without its record (docs/deployment.md). AuditLog logs the outage once.
            LOG.debug("request {} refused: its audit record was not committed ({})", requestId, e.getMessage());
            response = failure(request, requestId, Failure.UNAVAILABLE);
        } catch (StoreUnavailable e) {
            LOG.warn("request {} failed: the database is unreachable", requestId);
            response = failure(request, requestId, Failure.UNAVAILABLE);
        } catch (RuntimeException e) {
            // Never a stack trace on the wire; the log has it (no request data in it, so no secrets).
            LOG.error("internal error handling request {}", requestId, e);
            response = internalError(request, requestId);
        } catch (OutOfMemoryError e) {
            // A heap that ran out once cannot be trusted to serve: the probes say so, and Kubernetes
            // restarts the pod (bin/irsa also exits on it: -XX:+ExitOnOutOfMemoryError).
            exhausted = true;
            LOG.error("out of memory handling request {}: /healthz and /readyz now answer 503", requestId);
            response = internalError(request, requestId);
        }
        respond(res, requestId, response);
    }

    private static void respond(ServerResponse res, String requestId, WireResponse response) {
        res.status(response.status());
        res.header("x-amzn-RequestId", requestId);
        res.header("Content-Type", response.contentType());
        response.headers().forEach(res::header);
        res.send(response.body());
    }

    /**
     * A server-side failure, with each API's own code for it: a Kubernetes Status for TokenRequest,
     * EKS's modeled exception (REST-JSON), the JSON protocol's for CloudTrail, the query protocol's
     * (STS, IAM). The SDKs retry both kinds.
     */
    private enum Failure {
        INTERNAL(500, "An internal error occurred.", "InternalError", AwsError.SERVER_EXCEPTION, AwsError.INTERNAL_FAILURE,
                AwsError.SERVICE_FAILURE),
        /** Overloaded, or the database cannot be reached or cannot commit the call's record. */
        UNAVAILABLE(503, "Service is unable to handle request.", "ServiceUnavailable", AwsError.SERVICE_UNAVAILABLE_EXCEPTION,
                AwsError.SERVICE_UNAVAILABLE, AwsError.SERVICE_UNAVAILABLE);

        final int status;
        final String message;
        /** Kubernetes' Status reason, for TokenRequest. */
        final String kubernetes;
        final AwsError eks;
        final AwsError json;
        final AwsError query;

        Failure(int status, String message, String kubernetes, AwsError eks, AwsError json, AwsError query) {
            this.status = status;
            this.message = message;
            this.kubernetes = kubernetes;
            this.eks = eks;
            this.json = json;
            this.query = query;
        }
    }

    private static WireResponse internalError(WireRequest request, String requestId) {
        return failure(request, requestId, Failure.INTERNAL);
    }

    private static WireResponse failure(WireRequest request, String requestId, Failure f) {
        String message = f.message + " Request id " + requestId + ".";
        String path = request == null ? "/" : request.rawPath();
        if (path.startsWith("/clusters/") && path.endsWith("/token")) {
            return IssuerApi.status(f.status, f.kubernetes, message);
        }
        if (path.equals("/clusters") || path.startsWith("/clusters/") || path.startsWith("/" + EksApi.REGISTRATIONS)
                || path.equals(AccountsApi.PATH)) {
            return EksApi.error(new AwsException(f.eks, message));
        }
        String target = request == null ? null : request.header("x-amz-target");
        if (target != null && target.startsWith(CloudTrailApi.TARGET_PREFIX)) {
            return CloudTrailApi.error(new AwsException(f.json, message));
        }
        return QueryApi.error(new AwsException(f.query, message), "sts", requestId);
    }

    private WireResponse route(WireRequest request, String requestId) {
        String path = request.rawPath();
        List<String> segments = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                segments.add(SigV4.decode(s));
            }
        }
        if (segments.isEmpty()) {
            String target = request.header("x-amz-target");
            if (request.method().equals("POST") && target != null && target.startsWith(CloudTrailApi.TARGET_PREFIX)) {
                return cloudTrail.handle(request, requestId);
            }
            if (request.method().equals("POST") || request.method().equals("GET")) {
                return query.handle(request, requestId);
            }
            return WireResponse.of(405, "application/json", Json.write(Map.of("message", "Method Not Allowed")));
        }
        switch (segments.get(0)) {
            case "openirsa" -> {
                if (path.equals(AccountsApi.PATH)) {
                    return accounts.handle(request, requestId);
                }
            }
            case "healthz" -> {
                return exhausted ? WireResponse.of(503, "text/plain", "out of memory") : WireResponse.of(200, "text/plain", "ok");
            }
            case "readyz" -> {
                boolean ok = !draining && !exhausted && ready.getAsBoolean();
                return WireResponse.of(ok ? 200 : 503, "text/plain", ok ? "ready" : exhausted ? "out of memory"
                        : draining ? "shutting down" : "store or keys not available");
            }
            case "metrics" -> {
                return observability.metrics();
            }
            case "id" -> {
                return issuer.discovery(request, segments);
            }
            case EksApi.REGISTRATIONS -> {
                if (segments.size() <= 2) {
                    return eks.handle(request, segments, requestId);
                }
            }
            case "clusters" -> {
                // /clusters/{name}/api/v1/namespaces/{ns}/serviceaccounts/{sa}/token
                if (segments.size() == 9 && segments.get(2).equals("api") && segments.get(3).equals("v1")
                        && segments.get(4).equals("namespaces") && segments.get(6).equals("serviceaccounts")
                        && segments.get(8).equals("token")) {
                    return issuer.tokenRequest(request, requestId, segments.get(1), segments.get(5), segments.get(7));
                }
                if (segments.size() == 5 && segments.get(2).equals("openirsa") && segments.get(3).equals("v1")) {
                    if (segments.get(4).equals("signer")) {
                        return issuer.signer(request, requestId, segments.get(1));
                    }
                    if (segments.get(4).equals("issuer")) {
                        return issuer.publishedIssuer(request, requestId, segments.get(1));
                    }
                }
                if (segments.size() <= 2 || EksApi.isAssociations(segments)) {
                    return eks.handle(request, segments, requestId);
                }
                if (EksAuthApi.handles(segments)) {
                    return eksAuth.handle(request, segments, requestId);
                }
            }
            default -> {
            }
        }
        return WireResponse.of(404, "application/json", Json.write(Map.of("message", "Not Found")));
    }

    private static final class BodyTooLarge extends RuntimeException {
        BodyTooLarge() {
            super(null, null, false, false);
        }
    }

    /** The request as far as its headers: enough to answer in its API's protocol without reading its body. */
    private static WireRequest withoutBody(ServerRequest req) {
        return wire(req, new byte[0]);
    }

    private static WireRequest wire(ServerRequest req, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        req.headers().forEach(h -> headers.computeIfAbsent(h.name(), k -> new ArrayList<>()).addAll(h.allValues()));
        String ip = req.remotePeer().address() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : req.remotePeer().host();
        return new WireRequest(req.prologue().method().text(), req.path().rawPath(), req.query().rawValue(), headers, body,
                ip, req.isSecure());
    }

    private static WireRequest read(ServerRequest req) {
        byte[] body;
        if (req.content().hasEntity()) {
            // A declared length is read as is: reading "up to MAX_BODY + 1" takes a 16 KiB buffer per request,
            // a fifth of all an exchange allocates (async-profiler). Read to the end as well: an entity not
            // read to its end makes Helidon close the connection after the answer.
            long declared = req.headers().contentLength().orElse(-1);
            boolean declaredFits = declared >= 0 && declared <= MAX_BODY;
            try (InputStream in = req.content().inputStream()) {
                body = in.readNBytes(declaredFits ? (int) declared : MAX_BODY + 1);
                if (body.length > MAX_BODY || (declaredFits && in.read() != -1)) {
                    in.transferTo(OutputStream.nullOutputStream()); // Helidon stops at MAX_DRAINED
                    throw new BodyTooLarge();
                }
            } catch (IOException | RuntimeException e) {
                throw new BodyTooLarge();
            }
        } else {
            body = new byte[0];
        }
        return wire(req, body);
    }
}
