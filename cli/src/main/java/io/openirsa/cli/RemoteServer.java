package io.openirsa.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openirsa.server.sigv4.SigV4;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The server the {@code AWS_*} environment points at, and the credentials to call it with, as the AWS
 * CLI reads them ({@code AWS_ENDPOINT_URL}, {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
 * {@code AWS_SESSION_TOKEN}, {@code AWS_REGION}). Calls are SigV4-signed and authorized by IAM there.
 * The secret and session token are never printed.
 */
record RemoteServer(String endpoint, String accessKeyId, String secretAccessKey, String sessionToken, String region) {
    /** The command line's one ObjectMapper, made at its first use: {@code irsa token} never needs it (a tenth of its time). */
    static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** What the server refused, in its words: the error code and message. */
    static final class Refused extends Exception {
        final int status;
        final String code;

        Refused(int status, String code, String message) {
            super(message);
            this.status = status;
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

    /**
     * The server of this environment.
     *
     * @throws UserMistake when an endpoint or the keys are not set: said in one line, exit code 2
     */
    static RemoteServer required(Map<String, String> env) throws UserMistake {
        return fromEnvironment(env).orElseThrow(() -> new UserMistake(NOT_SET));
    }

    static final String NOT_SET = "set AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY first: eval \"$(bin/irsa env)\"";

    private static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /**
     * A signed call of AWS's query protocol (IAM, STS): form parameters in, XML out.
     *
     * @return the answer's XML
     * @throws Refused with the server's error code and message
     */
    String query(String service, Map<String, String> parameters) throws IOException, Refused {
        StringBuilder form = new StringBuilder();
        parameters.forEach((k, v) -> form.append(form.isEmpty() ? "" : "&").append(SigV4.encode(k)).append('=').append(SigV4.encode(v)));
        Answer response = send("POST", service, "/", "application/x-www-form-urlencoded; charset=utf-8", null,
                form.toString().getBytes(StandardCharsets.UTF_8));
        if (response.status() / 100 != 2) {
            throw new Refused(response.status(), xmlText(response.body(), "Code"), xmlText(response.body(), "Message"));
        }
        return response.body();
    }

    /** The text of the first element of that name in an XML answer, or "" (the answer is small and AWS-shaped). */
    static String xmlText(String xml, String element) {
        return xmlTexts(xml, element, null).stream().findFirst().orElse("");
    }

    /** The {@code member} texts of the query protocol's list of that name, in order. */
    static List<String> xmlList(String xml, String list) {
        return xmlTexts(xml, "member", list);
    }

    /** The texts of every element of that name (within an element named {@code parent}, when not null), in order. */
    private static List<String> xmlTexts(String xml, String element, String parent) {
        List<String> out = new ArrayList<>();
        try {
            XMLInputFactory factory = XMLInputFactory.newFactory();
            factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
            XMLStreamReader r = factory.createXMLStreamReader(new StringReader(xml));
            Deque<String> path = new ArrayDeque<>();
            while (r.hasNext()) {
                int event = r.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    if (r.getLocalName().equals(element) && (parent == null || parent.equals(path.peek()))) {
                        out.add(r.getElementText());
                    } else {
                        path.push(r.getLocalName());
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    path.poll();
                }
            }
        } catch (XMLStreamException e) {
            // not XML: nothing found
        }
        return out;
    }

    /**
     * A signed JSON call: REST-JSON when {@code target} is null, else JSON 1.1 with that X-Amz-Target.
     *
     * @return the answer's JSON
     * @throws Refused with the server's error code and message
     * @throws IOException when the server cannot be reached or does not answer JSON
     */
    JsonNode call(String method, String service, String path, String target, Object body) throws IOException, Refused {
        byte[] bytes = body == null ? new byte[0] : Json.MAPPER.writeValueAsBytes(body);
        Answer response = send(method, service, path, target == null ? "application/json" : "application/x-amz-json-1.1",
                target, bytes);
        JsonNode answer;
        try {
            answer = Json.MAPPER.readTree(response.body().isEmpty() ? "{}" : response.body());
        } catch (JsonProcessingException e) {
            throw new IOException(endpoint + " answered HTTP " + response.status() + " with something other than JSON");
        }
        if (response.status() / 100 != 2) {
            String code = response.errorType() != null ? response.errorType().split(":")[0]
                    : answer.path("__type").asText("HTTP " + response.status());
            throw new Refused(response.status(), code.contains("#") ? code.substring(code.indexOf('#') + 1) : code,
                    answer.path("message").asText(answer.path("Message").asText("")));
        }
        return answer;
    }

    /** An answer: its status, its error-type header (REST-JSON), its body. */
    record Answer(int status, String errorType, String body) {
    }

    /**
     * Sends a signed request with the JDK's HttpURLConnection: building a java.net.http.HttpClient and its
     * first exchange cost 0.3 s of a short command's start, against 15 ms (bench/short-commands).
     */
    private Answer send(String method, String service, String path, String contentType, String target, byte[] bytes)
            throws IOException {
        URI uri = URI.create(endpoint + path);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", uri.getRawAuthority());
        headers.put("content-type", contentType);
        if (target != null) {
            headers.put("x-amz-target", target);
        }
        Map<String, String> signature = SigV4.sign(method, uri.getRawPath(), uri.getRawQuery() == null ? "" : uri.getRawQuery(), headers,
                bytes, accessKeyId, secretAccessKey, sessionToken, region, service, Instant.now());
        headers.remove("host");
        headers.putAll(signature);
        return exchange(method, uri, headers, bytes);
    }

    /** One HTTP exchange with this server, as given (no signature added). */
    Answer exchange(String method, URI uri, Map<String, String> headers, byte[] bytes) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        try {
            c.setConnectTimeout(10_000);
            c.setReadTimeout(30_000);
            c.setInstanceFollowRedirects(false);
            c.setRequestMethod(method);
            headers.forEach(c::setRequestProperty);
            if (bytes.length > 0) {
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(bytes.length);
                try (var out = c.getOutputStream()) {
                    out.write(bytes);
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Answer(status, c.getHeaderField("x-amzn-ErrorType"), body);
        } catch (ConnectException e) {
            throw new UserMistake("no server answers at " + endpoint + " (AWS_ENDPOINT_URL)");
        } finally {
            c.disconnect();
        }
    }

    @Override
    public String toString() {
        return "RemoteServer[" + endpoint + ", " + accessKeyId + "]";
    }
}
