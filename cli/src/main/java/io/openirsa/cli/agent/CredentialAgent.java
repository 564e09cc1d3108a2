package io.openirsa.cli.agent;

import io.openirsa.core.AwsError;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.openirsa.server.Json;
import io.openirsa.server.sigv4.SigV4;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's EKS Pod Identity agent: the container credentials endpoint {@code GET /v1/credentials}
 * that the SDKs call with the pod's token (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) in the
 * Authorization header. It exchanges the token with eks-auth AssumeRoleForPodIdentity, signed with
 * the node's own credentials, and keeps the answer per token until shortly before it expires:
 * concurrent misses for one token share one upstream call, so a node makes one call per service
 * account and token, not one per pod or per SDK refresh.
 */
public final class CredentialAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialAgent.class);
    /** Answers are renewed this long before they expire (the SDKs refresh 5-15 minutes before). */
    static final Duration REFRESH_BEFORE = Duration.ofMinutes(20);
    /** ... and kept at most this long, as EKS's agent (--max-credential-retention-before-renewal). */
    static final Duration MAX_RETENTION = Duration.ofHours(3);
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    /**
     * Any pod on the node can call the agent. Connections open at once, each holding at most
     * MAX_HEADERS of a request it has not finished: 2,750 connections with 15 KB of headers each ran
     * the 96 MiB agent out of memory, and every pod on the node then went without credentials until
     * it restarted. A call is a GET with a token of 1-2 KB; SDKs keep a connection or two each.
     */
    static final int MAX_CONNECTIONS = 512;
    static final int MAX_HEADERS = 16 * 1024;
    static final Duration IDLE_CONNECTION = Duration.ofSeconds(60);
    /** Tokens whose answers are kept: a node runs at most a few hundred pods, each with a token or two. */
    static final int MAX_ANSWERS = 10_000;

    /** The node's credentials, with which the agent signs its calls to eks-auth. */
    public record NodeCredentials(String accessKeyId, String secretAccessKey, String sessionToken) {
        @Override
        public String toString() {
            return "NodeCredentials[" + accessKeyId + "]";
        }
    }

    private record Answer(int status, String body, Instant refreshAt) {
    }

    private final URI endpoint;
    private final String cluster;
    private final String region;
    private final NodeCredentials node;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, CompletableFuture<Answer>> answers = Caffeine.newBuilder().maximumSize(MAX_ANSWERS)
            .expireAfterWrite(MAX_RETENTION).<String, CompletableFuture<Answer>>build().asMap();
    private final AtomicLong upstreamCalls = new AtomicLong();
    private final WebServer server;
    private final String bindHost;

    public CredentialAgent(URI endpoint, String cluster, String region, NodeCredentials node, String host, int port, Clock clock) {
        this.endpoint = endpoint;
        this.cluster = cluster;
        this.region = region;
        this.node = node;
        this.clock = clock;
        this.server = WebServer.builder().host(host).port(port).maxTcpConnections(MAX_CONNECTIONS).idleConnectionTimeout(IDLE_CONNECTION)
                .addProtocol(Http1Config.builder().maxHeadersSize(MAX_HEADERS).build())
                .routing(r -> r.any(this::handle)).build().start();
        this.bindHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    public int port() {
        return server.port();
    }

    /** Calls made to eks-auth so far: what the cache saves shows here. */
    public long upstreamCalls() {
        return upstreamCalls.get();
    }

    private void handle(ServerRequest req, ServerResponse res) {
        if (!bindHost.equals(hostOnly(req.headers().first(HeaderNames.HOST).orElse("")))) {
            // As EKS's agent: only requests addressed to the address it listens on (no DNS rebinding, no proxying).
            reply(res, 403, "Called agent through invalid address");
            return;
        }
        if (!req.prologue().method().text().equals("GET") || !req.path().rawPath().equals("/v1/credentials")) {
            reply(res, 404, "only GET /v1/credentials is served");
            return;
        }
        String token = req.headers().first(HeaderNames.AUTHORIZATION).orElse("").trim();
        String invalid = token.isEmpty() ? "the Authorization header must carry the pod's token" : basicCheck(token);
        if (invalid != null) {
            reply(res, 400, invalid); // as EKS's agent: what cannot be a live token never goes to eks-auth
            return;
        }
        Answer a = answer(token);
        reply(res, a.status(), a.body());
    }

    /** The host of a Host header, without port and brackets. */
    static String hostOnly(String header) {
        String h = header.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(1, end);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    /** EKS's agent parses the token and checks its times, but not its signature (eks-auth does); null when it passes. */
    private String basicCheck(String token) {
        try {
            JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
            Instant now = clock.instant();
            if (claims.getExpirationTime() == null || !now.isBefore(claims.getExpirationTime().toInstant())) {
                return "the token has expired";
            }
            if (claims.getNotBeforeTime() != null && claims.getNotBeforeTime().toInstant().isAfter(now.plus(CLOCK_SKEW))) {
                return "the token is not valid yet";
            }
            if (claims.getIssueTime() != null && claims.getIssueTime().toInstant().isAfter(now.plus(CLOCK_SKEW))) {
                return "the token was issued in the future";
            }
            return null;
        } catch (ParseException | RuntimeException e) {
            return "the token is not a signed JWT";
        }
    }

    private Answer answer(String token) {
        String key = sha256(token);
        while (true) {
            CompletableFuture<Answer> mine = new CompletableFuture<>();
            CompletableFuture<Answer> current = answers.putIfAbsent(key, mine);
            if (current == null) {
                Answer fetched;
                try {
                    fetched = fetch(token);
                } catch (RuntimeException e) {
                    fetched = new Answer(500, "the agent could not reach eks-auth", Instant.EPOCH);
                }
                mine.complete(fetched);
                if (fetched.status() != 200) {
                    answers.remove(key, mine); // errors are passed through, not kept
                }
                return fetched;
            }
            try {
                Answer a = current.get();
                if (a.status() == 200 && clock.instant().isBefore(a.refreshAt())) {
                    return a;
                }
                if (a.status() != 200) {
                    return a; // the caller that fetched it shares the error with those who waited
                }
                answers.remove(key, current); // due for renewal: the next loop fetches again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Answer(500, "interrupted", Instant.EPOCH);
            } catch (ExecutionException e) {
                answers.remove(key, current);
            }
        }
    }

    private Answer fetch(String token) {
        upstreamCalls.incrementAndGet();
        String path = "/clusters/" + cluster + "/assume-role-for-pod-identity";
        byte[] body = Json.write(Map.of("token", token)).getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", endpoint.getRawAuthority());
        headers.put("content-type", "application/json");
        Map<String, String> signed = SigV4.sign("POST", path, "", headers, body, node.accessKeyId(), node.secretAccessKey(), node.sessionToken(),
                region, "eks-auth", clock.instant());
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve(path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("content-type", "application/json");
        signed.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            LOG.warn("eks-auth at {} did not answer: {}", endpoint, e.getMessage());
            return new Answer(503, "eks-auth did not answer", Instant.EPOCH);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(500, "interrupted", Instant.EPOCH);
        }
        if (response.statusCode() != 200) {
            // Passed through as EKS's agent does: the upstream status, and "[request id]: (Code): message, fault: client".
            String code = response.headers().firstValue("x-amzn-ErrorType").orElse("Error");
            String message = Json.readObject(response.body().getBytes(StandardCharsets.UTF_8), AwsError.SERVICE_UNAVAILABLE_EXCEPTION).path("message").asText("");
            String requestId = response.headers().firstValue("x-amzn-RequestId").orElse("");
            return new Answer(response.statusCode(), "[" + requestId + "]: (" + code + "): " + message + ", fault: "
                    + (response.statusCode() >= 500 ? "server" : "client"), Instant.EPOCH);
        }
        JsonNode answer = Json.readObject(response.body().getBytes(StandardCharsets.UTF_8), AwsError.SERVICE_UNAVAILABLE_EXCEPTION);
        JsonNode c = answer.path("credentials");
        Instant expiration = Instant.ofEpochSecond(c.path("expiration").asLong());
        String roleArn = answer.path("assumedRoleUser").path("arn").asText();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("AccessKeyId", c.path("accessKeyId").asText());
        out.put("SecretAccessKey", c.path("secretAccessKey").asText());
        out.put("Token", c.path("sessionToken").asText());
        out.put("AccountId", roleArn.split(":").length > 4 ? roleArn.split(":")[4] : "");
        out.put("Expiration", expiration.toString());
        Instant now = clock.instant();
        Instant refreshAt = expiration.minus(REFRESH_BEFORE);
        refreshAt = refreshAt.isAfter(now) ? refreshAt : expiration.minusSeconds(60);
        return new Answer(200, Json.write(out), refreshAt.isAfter(now.plus(MAX_RETENTION)) ? now.plus(MAX_RETENTION) : refreshAt);
    }

    /** The credentials as JSON; anything else as text, as EKS's agent answers. */
    private static void reply(ServerResponse res, int status, String body) {
        res.status(status).header("Content-Type", status == 200 ? "application/json" : "text/plain").send(body);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
