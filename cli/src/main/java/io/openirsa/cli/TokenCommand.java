package io.openirsa.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.openirsa.server.sigv4.SigV4;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Print a projected service-account token issued by a cluster's OIDC issuer (a Kubernetes TokenRequest, "
                + "authenticated like `aws eks get-token`, from the AWS_* environment).")
final class TokenCommand implements Callable<Integer> {
    @Option(names = "--cluster", required = true, description = "cluster name")
    String cluster;

    @Option(names = "--namespace", required = true, description = "namespace")
    String namespace;

    @Option(names = "--service-account", required = true, description = "service account name")
    String serviceAccount;

    @Option(names = "--audience", description = "token audience, repeatable (default: sts.amazonaws.com)")
    List<String> audiences = new ArrayList<>();

    @Option(names = "--duration", description = "lifetime in seconds (default: 86400; at least 600)")
    Long duration;

    @Override
    public Integer call() throws Exception {
        RemoteServer server = RemoteServer.fromEnvironment(System.getenv()).orElse(null);
        if (server == null) {
            System.err.println(RemoteServer.NOT_SET);
            return 2;
        }
        try {
            System.out.println(request(server,
                    cluster, namespace, serviceAccount, audiences, duration));
            return 0;
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
            return 1;
        }
    }

    /**
     * Sends a TokenRequest for a service account and returns the token.
     *
     * @throws IllegalStateException with the server's message when it refuses
     */
    static String request(RemoteServer client, String cluster, String namespace, String serviceAccount, List<String> audiences,
                          Long duration) throws IOException, InterruptedException {
        String base = client.endpoint().endsWith("/") ? client.endpoint().substring(0, client.endpoint().length() - 1) : client.endpoint();
        String bearer = "k8s-aws-v1." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                presignedCallerIdentity(base, client, cluster).getBytes(StandardCharsets.UTF_8));
        // Jackson's streaming API, not its ObjectMapper: starting that was a fifth of this command's time (bench/short-commands).
        StringWriter body = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(body)) {
            g.writeStartObject();
            g.writeStringField("apiVersion", "authentication.k8s.io/v1");
            g.writeStringField("kind", "TokenRequest");
            g.writeObjectFieldStart("spec");
            g.writeArrayFieldStart("audiences");
            for (String a : audiences == null || audiences.isEmpty() ? List.of("sts.amazonaws.com") : audiences) {
                g.writeString(a);
            }
            g.writeEndArray();
            if (duration != null) {
                g.writeNumberField("expirationSeconds", duration);
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        URI uri = URI.create(base + "/clusters/" + SigV4.encode(cluster) + "/api/v1/namespaces/" + SigV4.encode(namespace)
                + "/serviceaccounts/" + SigV4.encode(serviceAccount) + "/token");
        RemoteServer.Answer response = client.exchange("POST", uri, Map.of("Authorization", "Bearer " + bearer,
                "Content-Type", "application/json"), body.toString().getBytes(StandardCharsets.UTF_8));
        // A TokenRequest's status.token, or a Status's message.
        String token = null;
        String message = null;
        try (JsonParser p = JSON.createParser(response.body().isEmpty() ? "{}" : response.body())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(p, "not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("message") && value == JsonToken.VALUE_STRING) {
                    message = p.getText();
                } else if (field.equals("status") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String inner = p.currentName();
                        if (p.nextToken() == JsonToken.VALUE_STRING && inner.equals("token")) {
                            token = p.getText();
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("token request failed (" + response.status() + "): the answer is not JSON");
        }
        if (response.status() / 100 != 2 || token == null) {
            throw new IllegalStateException("token request failed (" + response.status() + "): " + (message != null ? message : response.body()));
        }
        return token;
    }

    private static final JsonFactory JSON = new JsonFactory();

    /** What `aws eks get-token` builds: a GetCallerIdentity URL presigned for 60 s, signing x-k8s-aws-id. */
    static String presignedCallerIdentity(String base, RemoteServer client, String cluster) {
        String keyId = client.accessKeyId();
        String secret = client.secretAccessKey();
        String sessionToken = client.sessionToken();
        String region = client.region();
        URI uri = URI.create(base + "/");
        Instant now = Instant.now();
        String amzDate = SigV4.AMZ_DATE.format(now);
        String scope = amzDate.substring(0, 8) + "/" + region + "/sts/aws4_request";
        StringBuilder q = new StringBuilder("Action=GetCallerIdentity&Version=2011-06-15")
                .append("&X-Amz-Algorithm=").append(SigV4.ALGORITHM)
                .append("&X-Amz-Credential=").append(SigV4.encode(keyId + "/" + scope))
                .append("&X-Amz-Date=").append(amzDate)
                .append("&X-Amz-Expires=60");
        if (sessionToken != null) {
            q.append("&X-Amz-Security-Token=").append(SigV4.encode(sessionToken));
        }
        q.append("&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id");
        Map<String, List<String>> headers = Map.of("host", List.of(uri.getRawAuthority()), "x-k8s-aws-id", List.of(cluster));
        String creq = SigV4.canonicalRequest("GET", "/", q.toString(), List.of("host", "x-k8s-aws-id"), headers, SigV4.EMPTY_SHA256, true);
        String signature = SigV4.signature(secret, amzDate.substring(0, 8), region, "sts", SigV4.stringToSign(amzDate, scope, creq));
        return base + "/?" + q + "&X-Amz-Signature=" + signature;
    }

}
