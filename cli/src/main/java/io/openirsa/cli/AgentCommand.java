package io.openirsa.cli;

import io.openirsa.cli.agent.CredentialAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.time.Clock;
import java.util.concurrent.Callable;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run a node's EKS Pod Identity agent: the container credentials endpoint GET /v1/credentials for the pods of one cluster.")
final class AgentCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    LogOptions logs = new LogOptions();

    @Option(names = "--cluster", required = true, description = "the cluster this node belongs to")
    String cluster;

    @Option(names = "--listen", defaultValue = "127.0.0.1:2703", description = "HOST:PORT (default ${DEFAULT-VALUE}); EKS's agent uses 169.254.170.23:80",
            converter = Main.Listen.Converter.class)
    Main.Listen listen;

    @Option(names = "--endpoint", description = "OpenIRSA's URL (default: $AWS_ENDPOINT_URL)")
    URI endpoint;

    @Option(names = "--region", description = "region to sign for (default: $AWS_REGION, else us-east-1)")
    String region;

    @Override
    public Integer call() throws Exception {
        if (!logs.apply()) {
            return 2;
        }
        URI url = endpoint != null ? endpoint : System.getenv("AWS_ENDPOINT_URL") == null ? null : URI.create(System.getenv("AWS_ENDPOINT_URL"));
        String key = System.getenv("AWS_ACCESS_KEY_ID");
        String secret = System.getenv("AWS_SECRET_ACCESS_KEY");
        if (url == null || key == null || secret == null) {
            System.err.println("the agent needs OpenIRSA's URL (--endpoint or AWS_ENDPOINT_URL) and the node's credentials "
                    + "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optionally AWS_SESSION_TOKEN); eval \"$(bin/irsa env)\" gives both");
            return 2;
        }
        Main.Listen at = listen;
        String signingRegion = region != null ? region : System.getenv("AWS_REGION") != null ? System.getenv("AWS_REGION") : "us-east-1";
        CredentialAgent agent = new CredentialAgent(url, cluster, signingRegion,
                new CredentialAgent.NodeCredentials(key, secret, System.getenv("AWS_SESSION_TOKEN")),
                at.host(), at.port(), Clock.systemUTC());
        System.err.println("Pod Identity agent for cluster " + cluster + " at http://" + at.host() + ":" + agent.port() + "/v1/credentials");
        Main.serveUntilStopped(agent);
        return 0;
    }
}
