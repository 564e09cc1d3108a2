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

        /** The server administrator's AWS_* environment (a test's own). */
        Map<String, String> env = System.getenv();

        @Override
        public Integer call() throws Exception {
            RemoteServer server = RemoteServer.required(env);
            JsonNode created;
            try {
                created = create(server, accountId);
            } catch (IllegalStateException e) {
                System.err.println(e.getMessage());
                return 1;
            }
            System.out.println("export AWS_ENDPOINT_URL=" + server.endpoint());
            System.out.println("export AWS_ACCESS_KEY_ID=" + created.path("accessKeyId").asText());
            System.out.println("export AWS_SECRET_ACCESS_KEY=" + created.path("secretAccessKey").asText());
            System.out.println("export AWS_REGION=" + server.region());
            System.out.println("export AWS_DEFAULT_REGION=" + server.region());
            return 0;
        }

        /** @throws IllegalStateException with the server's message when refused */
        static JsonNode create(RemoteServer server, String accountId) throws IOException {
            try {
                return server.call("POST", AccountsApi.SIGNING_NAME, AccountsApi.PATH, null, Map.of("accountId", accountId));
            } catch (RemoteServer.Refused e) {
                throw new IllegalStateException("account not created (" + e.status + " " + e.code + "): " + e.getMessage());
            }
        }
    }
}
