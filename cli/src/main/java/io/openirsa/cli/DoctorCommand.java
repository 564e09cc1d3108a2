package io.openirsa.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.openirsa.core.model.Cluster;
import io.openirsa.core.model.OidcProvider;
import io.openirsa.core.model.Role;
import io.openirsa.server.sigv4.SigV4;
import io.openirsa.store.JdbcStore;
import io.openirsa.webhook.WebhookSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "doctor", mixinStandardHelpOptions = true, description = "Diagnose IRSA setups.", subcommands = DoctorCommand.PodCheck.class)
final class DoctorCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "pod", mixinStandardHelpOptions = true,
            description = "Check a pod against the IRSA troubleshooting guide: ServiceAccount annotation, injected environment, token volume "
                    + "and mount, and the role's trust policy for the pod's token. Exit status 1 when a check fails.")
    static final class PodCheck implements Callable<Integer> {
        private static final Pattern ROLE = Pattern.compile("arn:aws[a-z0-9-]*:iam::(\\d{12}):role/(?:.*/)?([^/]+)");

        @Parameters(paramLabel = "NAMESPACE/NAME")
        String pod;

        @Option(names = "--kubeconfig", description = "kubeconfig (default: in-cluster, or ~/.kube/config)")
        Path kubeconfig;

        @Option(names = "--trust-policy", description = "the role's trust policy document (e.g. from aws iam get-role)")
        Path trustPolicy;

        @Option(names = "--data", description = "an OpenIRSA data folder: the role's trust policy is read from it")
        Path data;

        @Option(names = "--annotation-prefix", defaultValue = "eks.amazonaws.com", description = "(default ${DEFAULT-VALUE})")
        String annotationPrefix;

        @Option(names = "--token-audience", defaultValue = "sts.amazonaws.com", description = "(default ${DEFAULT-VALUE})")
        String audience;

        @Option(names = "--cluster", description = "the pod's cluster in OpenIRSA: its issuer is checked against the role's OIDC provider "
                + "and trust policy (read from --data, else from the server the AWS_* environment points at)")
        String cluster;

        Map<String, String> env = System.getenv();

        @Override
        public Integer call() throws Exception {
            int slash = pod.indexOf('/');
            if (slash <= 0 || slash == pod.length() - 1) {
                System.err.println("name the pod as NAMESPACE/NAME");
                return 2;
            }
            WebhookSettings d = WebhookSettings.defaults();
            WebhookSettings settings = new WebhookSettings(annotationPrefix, audience, d.mountPath(), null, false,
                    d.defaultExpiration(), d.maxExpiration(), null, null);
            Config config = kubeconfig != null ? Config.fromKubeconfig(Files.readString(kubeconfig)) : Config.autoConfigure(null);
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
                Doctor.ClusterIssuer issuer = cluster == null ? null : clusterIssuer();
                List<Doctor.Check> checks = new Doctor(settings).examine(client, pod.substring(0, slash), pod.substring(slash + 1), trustPolicies(),
                        issuer);
                for (Doctor.Check c : checks) {
                    System.out.println((c.ok() ? "OK   " : "FAIL ") + c.name() + ": " + c.detail());
                    if (!c.ok()) {
                        System.out.println("     fix: " + c.fix());
                    }
                }
                return checks.stream().allMatch(Doctor.Check::ok) ? 0 : 1;
            } catch (KubernetesClientException e) {
                System.err.println("cannot read from the Kubernetes API: " + e.getMessage());
                return 2;
            }
        }

        /** The cluster's issuer and its OIDC providers' client IDs: from the data folder, or through EKS and IAM on the server. */
        private Doctor.ClusterIssuer clusterIssuer() throws IOException {
            if (data != null) {
                DataDir dir = new DataDir(data);
                DataDir.ServerInfo info = dir.readServerInfo();
                try (JdbcStore store = dir.store()) {
                    String url = store.cluster(info.accountId(), cluster).map(Cluster::issuer)
                            .orElseThrow(() -> new UserMistake("no cluster " + cluster + " in account " + info.accountId()));
                    return new Doctor.ClusterIssuer(url, account -> {
                        try (JdbcStore s = dir.store()) {
                            return s.provider(account, OidcProvider.hostPath(url)).filter(p -> p.url().equals(url))
                                    .map(OidcProvider::clientIds);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
            }
            RemoteServer server = RemoteServer.fromEnvironment(env).orElseThrow(() -> new UserMistake(RemoteServer.NOT_SET + ", or give --data"));
            try {
                String url = server.call("GET", "eks", "/clusters/" + SigV4.encode(cluster), null, null)
                        .path("cluster").path("identity").path("oidc").path("issuer").asText();
                return new Doctor.ClusterIssuer(url, account -> {
                    String arn = "arn:aws:iam::" + account + ":oidc-provider/" + OidcProvider.hostPath(url);
                    try {
                        return Optional.of(RemoteServer.xmlList(server.query("iam", Map.of("Action", "GetOpenIDConnectProvider",
                                "Version", "2010-05-08", "OpenIDConnectProviderArn", arn)), "ClientIDList"));
                    } catch (RemoteServer.Refused e) {
                        return Optional.empty(); // NoSuchEntity, or not allowed to read it: the check says what to create
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (RemoteServer.Refused e) {
                throw new UserMistake("cluster " + cluster + ": " + e.code + ": " + e.getMessage());
            }
        }

        private Function<String, Optional<String>> trustPolicies() throws IOException {
            if (trustPolicy != null) {
                String doc = Files.readString(trustPolicy);
                return role -> Optional.of(doc);
            }
            if (data != null) {
                Path dir = data;
                return role -> {
                    Matcher m = ROLE.matcher(role);
                    if (!m.matches()) {
                        return Optional.empty();
                    }
                    try (JdbcStore store = new DataDir(dir).store()) {
                        return store.role(m.group(1), m.group(2)).map(Role::trustPolicy);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                };
            }
            return role -> Optional.empty();
        }
    }
}
