package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openirsa.server.admin.AccountsApi;
import io.openirsa.server.sigv4.SigV4;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "account", mixinStandardHelpOptions = true, description = "Accounts of a server.", subcommands = AccountCommand.Create.class)
final class AccountCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create an account and its administrator key, with the server administrator's AWS_* environment; prints export "
                    + "lines for the new account: eval \"$(bin/irsa account create 210987654321)\"")
    static final class Create implements Callable<Integer> {
        @Parameters(paramLabel = "ACCOUNT_ID", description = "12 digits")
        String accountId;

        @Override
        public Integer call() throws Exception {
            Map<String, String> env = System.getenv();
            String endpoint = env.get("AWS_ENDPOINT_URL");
            String keyId = env.get("AWS_ACCESS_KEY_ID");
            String secret = env.get("AWS_SECRET_ACCESS_KEY");
            if (endpoint == null || keyId == null || secret == null) {
                System.err.println("set AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY first: eval \"$(bin/irsa env)\"");
                return 2;
            }
            String region = env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1"));
            JsonNode created;
            try {
                created = create(endpoint, keyId, secret, env.get("AWS_SESSION_TOKEN"), region, accountId);
            } catch (IllegalStateException e) {
                System.err.println(e.getMessage());
                return 1;
            }
            System.out.println("export AWS_ENDPOINT_URL=" + endpoint);
            System.out.println("export AWS_ACCESS_KEY_ID=" + created.path("accessKeyId").asText());
            System.out.println("export AWS_SECRET_ACCESS_KEY=" + created.path("secretAccessKey").asText());
            System.out.println("export AWS_REGION=" + region);
            System.out.println("export AWS_DEFAULT_REGION=" + region);
            return 0;
        }

        /** @throws IllegalStateException with the server's message when refused */
        static JsonNode create(String endpoint, String keyId, String secret, String sessionToken, String region, String accountId)
                throws java.io.IOException, InterruptedException {
            String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
            URI uri = URI.create(base + AccountsApi.PATH);
            byte[] body = new ObjectMapper().writeValueAsBytes(Map.of("accountId", accountId));
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("host", uri.getRawAuthority());
            headers.put("content-type", "application/json");
            Map<String, String> signed = SigV4.sign("POST", uri.getRawPath(), "", headers, body, keyId, secret, sessionToken, region,
                    AccountsApi.SIGNING_NAME, Instant.now());
            HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            signed.forEach(req::header);
            HttpResponse<String> r = HttpClient.newHttpClient().send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode answer = new ObjectMapper().readTree(r.body().isEmpty() ? "{}" : r.body());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("account not created (" + r.statusCode() + " " + r.headers().firstValue("x-amzn-ErrorType").orElse("")
                        + "): " + answer.path("message").asText());
            }
            return answer;
        }
    }
}
