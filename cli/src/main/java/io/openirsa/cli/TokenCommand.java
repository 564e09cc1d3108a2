package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openirsa.server.sigv4.SigV4;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
                          Long duration) throws java.io.IOException, InterruptedException {
        String base = client.endpoint().endsWith("/") ? client.endpoint().substring(0, client.endpoint().length() - 1) : client.endpoint();
        String bearer = "k8s-aws-v1." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                presignedCallerIdentity(base, client, cluster).getBytes(StandardCharsets.UTF_8));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("audiences", audiences == null || audiences.isEmpty() ? List.of("sts.amazonaws.com") : audiences);
        if (duration != null) {
            spec.put("expirationSeconds", duration);
        }
        ObjectMapper json = new ObjectMapper();
        String body = json.writeValueAsString(Map.of("apiVersion", "authentication.k8s.io/v1", "kind", "TokenRequest", "spec", spec));
        URI uri = URI.create(base + "/clusters/" + SigV4.encode(cluster) + "/api/v1/namespaces/" + SigV4.encode(namespace)
                + "/serviceaccounts/" + SigV4.encode(serviceAccount) + "/token");
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + bearer)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode answer;
        try {
            answer = json.readTree(response.body().isEmpty() ? "{}" : response.body());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("token request failed (" + response.statusCode() + "): the answer is not JSON");
        }
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("token request failed (" + response.statusCode() + "): " + answer.path("message").asText(response.body()));
        }
        return answer.path("status").path("token").asText();
    }

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
