package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.openirsa.core.issuer.ClusterIssuers;
import io.openirsa.server.sigv4.SigV4;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "issuer", mixinStandardHelpOptions = true, description = "A cluster's OIDC issuer, published outside OpenIRSA.",
        subcommands = IssuerCommand.Export.class)
final class IssuerCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write a cluster's discovery document and keys in the layout of AWS's self-hosted IRSA guide, for a static "
                    + "host or bucket at the cluster's issuer URL: .well-known/openid-configuration and keys.json (from the AWS_* "
                    + "environment; needs eks:DescribeCluster).")
    static final class Export implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        LogOptions logs = new LogOptions();

        @Option(names = "--cluster", required = true, description = "cluster name")
        String cluster;

        @Option(names = "--to", required = true, description = "folder to write (what the static host serves at the issuer URL)")
        Path to;

        @Option(names = "--watch", description = "keep the folder current: look again every --interval seconds (a new key is published "
                + "an hour before it signs)")
        boolean watch;

        @Option(names = "--interval", defaultValue = "60", description = "seconds between looks with --watch (default ${DEFAULT-VALUE})")
        long interval;

        @Override
        public Integer call() throws Exception {
            if (!logs.apply()) {
                return 2;
            }
            RemoteServer server = RemoteServer.required(System.getenv());
            String written = null;
            while (true) {
                try {
                    String now = export(server, cluster, to);
                    if (!now.equals(written)) {
                        LoggerFactory.getLogger(IssuerCommand.class).info("wrote the issuer of cluster {} to {}", cluster, to);
                        written = now;
                    }
                } catch (RemoteServer.Refused e) {
                    System.err.println("irsa issuer export: " + e.code + ": " + e.getMessage());
                    if (!watch) {
                        return 1;
                    }
                }
                if (!watch) {
                    return 0;
                }
                Thread.sleep(Duration.ofSeconds(Math.max(1, interval)).toMillis());
            }
        }
    }

    /**
     * Writes the discovery document and key set of a cluster into a folder, each file replaced at once
     * (a static host never serves half a file); returns what was written.
     */
    static String export(RemoteServer server, String cluster, Path to) throws IOException, RemoteServer.Refused {
        JsonNode published = server.call("GET", "eks", "/clusters/" + SigV4.encode(cluster) + "/openirsa/v1/issuer", null, null);
        String issuer = published.path("issuer").asText();
        // The layout of AWS's self-hosted IRSA guide: the key set in keys.json.
        String doc = RemoteServer.Json.MAPPER.writerWithDefaultPrettyPrinter()
                .writeValueAsString(ClusterIssuers.discovery(issuer, issuer + "/keys.json"));
        String keys = RemoteServer.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(published.path("keys"));
        replace(to.resolve(".well-known").resolve("openid-configuration"), doc);
        replace(to.resolve("keys.json"), keys);
        return doc + keys;
    }

    private static void replace(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
