package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openirsa.server.sigv4.SigV4;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The server the {@code AWS_*} environment points at, and the credentials to call it with, as the AWS
 * CLI reads them ({@code AWS_ENDPOINT_URL}, {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
 * {@code AWS_SESSION_TOKEN}, {@code AWS_REGION}). Calls are SigV4-signed and authorized by IAM there.
 * The secret and session token are never printed.
 */
record RemoteServer(String endpoint, String accessKeyId, String secretAccessKey, String sessionToken, String region) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the server refused, in its words: the error code and message. */
    static final class Refused extends Exception {
        final String code;

        Refused(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    /** The server of this environment, or empty when an endpoint or the keys are not set. */
    static Optional<RemoteServer> fromEnvironment(Map<String, String> env) {
        String endpoint = value(env, "AWS_ENDPOINT_URL");
        String keyId = value(env, "AWS_ACCESS_KEY_ID");
        String secret = value(env, "AWS_SECRET_ACCESS_KEY");
        if (endpoint == null || keyId == null || secret == null) {
            return Optional.empty();
        }
        String region = value(env, "AWS_REGION") != null ? value(env, "AWS_REGION")
                : value(env, "AWS_DEFAULT_REGION") != null ? value(env, "AWS_DEFAULT_REGION") : "us-east-1";
        return Optional.of(new RemoteServer(endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint,
                keyId, secret, value(env, "AWS_SESSION_TOKEN"), region));
    }

    static final String NOT_SET = "set AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY first: eval \"$(bin/irsa env)\"";

    private static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /**
     * A signed JSON call: REST-JSON when {@code target} is null, else JSON 1.1 with that X-Amz-Target.
     *
     * @return the answer's JSON
     * @throws Refused with the server's error code and message
     * @throws IOException when the server cannot be reached or does not answer JSON
     */
    JsonNode call(String method, String service, String path, String target, Object body) throws IOException, Refused {
        byte[] bytes = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
        URI uri = URI.create(endpoint + path);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", uri.getRawAuthority());
        headers.put("content-type", target == null ? "application/json" : "application/x-amz-json-1.1");
        if (target != null) {
            headers.put("x-amz-target", target);
        }
        Map<String, String> signature = SigV4.sign(method, uri.getRawPath(), uri.getRawQuery() == null ? "" : uri.getRawQuery(), headers,
                bytes, accessKeyId, secretAccessKey, sessionToken, region, service, Instant.now());
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, bytes.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
        headers.forEach((k, v) -> {
            if (!k.equals("host")) {
                request.header(k, v);
            }
        });
        signature.forEach(request::header);
        HttpResponse<String> response;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.net.ConnectException e) {
            throw new UserMistake("no server answers at " + endpoint + " (AWS_ENDPOINT_URL)");
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body().isEmpty() ? "{}" : response.body());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(endpoint + " answered HTTP " + response.statusCode() + " with something other than JSON");
        }
        if (response.statusCode() / 100 != 2) {
            String code = response.headers().firstValue("x-amzn-ErrorType").map(c -> c.split(":")[0])
                    .orElse(answer.path("__type").asText("HTTP " + response.statusCode()));
            throw new Refused(code.contains("#") ? code.substring(code.indexOf('#') + 1) : code,
                    answer.path("message").asText(answer.path("Message").asText("")));
        }
        return answer;
    }

    @Override
    public String toString() {
        return "RemoteServer[" + endpoint + ", " + accessKeyId + "]";
    }
}
