package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.openirsa.server.sigv4.SigV4;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code irsa cluster register|deregister}: an existing Kubernetes cluster, known by its service-account issuer. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Create a cluster whose issuer is published elsewhere, or register an existing Kubernetes cluster by its "
                + "service-account issuer, on the server the AWS_* environment points at.",
        subcommands = {ClusterCommand.Create.class, ClusterCommand.Register.class, ClusterCommand.Deregister.class})
final class ClusterCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a cluster whose tokens name an issuer URL of your choosing, where `irsa issuer export` publishes its "
                    + "discovery document and keys (a static host or bucket), for a cluster that signs through `irsa signer` "
                    + "(EKS CreateCluster with OpenIRSA's oidcIssuer; needs eks:CreateCluster).")
    static final class Create implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "cluster name")
        String name;

        @Option(names = "--issuer", required = true, description = "the public https URL the issuer will be published at (the API server's "
                + "--service-account-issuer)")
        String issuer;

        Map<String, String> env = System.getenv();

        @Override
        public Integer call() throws IOException {
            RemoteServer server = RemoteServer.required(env);
            try {
                JsonNode cluster = server.call("POST", "eks", "/clusters", null, Map.of("name", name, "oidcIssuer", issuer)).path("cluster");
                System.out.println(cluster.path("arn").asText() + ": its tokens name " + cluster.path("identity").path("oidc").path("issuer").asText()
                        + "; publish it there with: bin/irsa issuer export --cluster " + name + " --to DIR");
                return 0;
            } catch (RemoteServer.Refused e) {
                System.err.println("irsa cluster create: " + e.code + ": " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Register a cluster: its pods' tokens then exchange through AssumeRoleWithWebIdentity and Pod Identity, "
                    + "verified with the keys its API server publishes (needs eks:RegisterCluster).")
    static final class Register implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "cluster name in OpenIRSA")
        String name;

        @Option(names = "--issuer", required = true, description = "the API server's --service-account-issuer URL")
        String issuer;

        @Option(names = "--ca-file", description = "PEM CA certificates of the issuer's TLS certificate (a cluster's private CA)")
        Path caFile;

        @Option(names = "--discovery-token-file", description = "bearer token for discovery, when it is not anonymous")
        Path tokenFile;

        @Option(names = "--tag", description = "KEY=VALUE, repeatable")
        Map<String, String> tags = new LinkedHashMap<>();

        Map<String, String> env = System.getenv();

        @Override
        public Integer call() throws IOException {
            RemoteServer server = RemoteServer.required(env);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("oidcIssuer", issuer);
            body.put("connectorConfig", Map.of("provider", "OTHER"));
            try {
                if (caFile != null) {
                    body.put("caBundle", read(caFile));
                }
                if (tokenFile != null) {
                    body.put("discoveryToken", read(tokenFile).strip());
                }
            } catch (UserMistake e) {
                System.err.println("irsa cluster register: " + e.getMessage());
                return 2;
            }
            if (!tags.isEmpty()) {
                body.put("tags", tags);
            }
            try {
                JsonNode cluster = server.call("POST", "eks", "/cluster-registrations", null, body).path("cluster");
                System.out.println(cluster.path("arn").asText() + ": tokens of " + cluster.path("identity").path("oidc").path("issuer").asText()
                        + " are accepted once an OIDC provider names it (aws iam create-open-id-connect-provider --url " + issuer
                        + " --client-id-list sts.amazonaws.com) or a Pod Identity association names this cluster");
                return 0;
            } catch (RemoteServer.Refused e) {
                System.err.println("irsa cluster register: " + e.code + ": " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "deregister", mixinStandardHelpOptions = true, description = "Forget a registered cluster and its Pod Identity associations.")
    static final class Deregister implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "cluster name")
        String name;

        Map<String, String> env = System.getenv();

        @Override
        public Integer call() throws IOException {
            RemoteServer server = RemoteServer.required(env);
            try {
                System.out.println(server.call("DELETE", "eks", "/cluster-registrations/" + SigV4.encode(name), null, null)
                        .path("cluster").path("arn").asText() + ": deregistered");
                return 0;
            } catch (RemoteServer.Refused e) {
                System.err.println("irsa cluster deregister: " + e.code + ": " + e.getMessage());
                return 1;
            }
        }
    }

    private static String read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserMistake("no file " + file);
        }
    }
}
