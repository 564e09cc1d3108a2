package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.openirsa.server.admin.AccountsApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

import java.io.IOException;
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
                throws IOException {
            RemoteServer server = RemoteServer.fromEnvironment(sessionToken == null
                    ? Map.of("AWS_ENDPOINT_URL", endpoint, "AWS_ACCESS_KEY_ID", keyId, "AWS_SECRET_ACCESS_KEY", secret, "AWS_REGION", region)
                    : Map.of("AWS_ENDPOINT_URL", endpoint, "AWS_ACCESS_KEY_ID", keyId, "AWS_SECRET_ACCESS_KEY", secret, "AWS_REGION", region,
                            "AWS_SESSION_TOKEN", sessionToken)).orElseThrow();
            try {
                return server.call("POST", AccountsApi.SIGNING_NAME, AccountsApi.PATH, null, Map.of("accountId", accountId));
            } catch (RemoteServer.Refused e) {
                throw new IllegalStateException("account not created (" + e.status + " " + e.code + "): " + e.getMessage());
            }
        }
    }
}
