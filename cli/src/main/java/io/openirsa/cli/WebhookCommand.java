package io.openirsa.cli;

import io.fabric8.kubernetes.client.Config;
import io.openirsa.webhook.EksPodIdentityAssociations;
import io.openirsa.webhook.FileServiceAccounts;
import io.openirsa.webhook.KubernetesServiceAccounts;
import io.openirsa.webhook.PodIdentityAssociations;
import io.openirsa.webhook.PodMutator;
import io.openirsa.webhook.ServingCertificate;
import io.openirsa.webhook.ServiceAccounts;
import io.openirsa.webhook.WebhookServer;
import io.openirsa.webhook.WebhookSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "webhook", mixinStandardHelpOptions = true,
        description = "Run the mutating admission webhook that gives pods IRSA (parity with amazon-eks-pod-identity-webhook).")
final class WebhookCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    LogOptions logs = new LogOptions();

    @Option(names = "--listen", description = "HOST:PORT (default ${DEFAULT-VALUE})", defaultValue = "0.0.0.0:8443",
            converter = Main.Listen.Converter.class)
    Main.Listen listen;

    @Option(names = "--tls-cert", required = true, description = "PEM certificate (chain); reloaded when it changes")
    Path tlsCert;

    @Option(names = "--tls-key", required = true, description = "PEM private key (PKCS#8, or PKCS#1 RSA); reloaded when it changes")
    Path tlsKey;

    static final class Source {
        @Option(names = "--kubeconfig", description = "kubeconfig of the cluster whose ServiceAccounts to watch (default: in-cluster, or ~/.kube/config)")
        Path kubeconfig;

        @Option(names = "--service-accounts", description = "YAML or JSON file mapping namespace/name (or namespace/*) to settings; reloaded on change")
        Path file;
    }

    @ArgGroup(exclusive = true)
    Source source = new Source();

    @Option(names = "--annotation-prefix", defaultValue = "eks.amazonaws.com", description = "(default ${DEFAULT-VALUE})")
    String annotationPrefix;

    @Option(names = "--token-audience", defaultValue = "sts.amazonaws.com", description = "(default ${DEFAULT-VALUE})")
    String audience;

    @Option(names = "--token-mount-path", defaultValue = "/var/run/secrets/eks.amazonaws.com/serviceaccount", description = "(default ${DEFAULT-VALUE})")
    String mountPath;

    @Option(names = "--token-expiration", defaultValue = "86400", description = "default token lifetime in seconds (default ${DEFAULT-VALUE})")
    long expiration;

    @Option(names = "--max-token-expiration", defaultValue = "86400", description = "longest token lifetime (default ${DEFAULT-VALUE})")
    long maxExpiration;

    @Option(names = "--aws-default-region", description = "inject AWS_REGION and AWS_DEFAULT_REGION")
    String region;

    @Option(names = "--sts-regional-endpoint", description = "inject AWS_STS_REGIONAL_ENDPOINTS=regional unless the ServiceAccount says otherwise")
    boolean regionalSts;

    @Option(names = "--sts-endpoint", description = "inject AWS_ENDPOINT_URL_STS, e.g. an OpenIRSA server's URL")
    String stsEndpoint;

    @Option(names = "--fs-group", description = "set this fsGroup on pods that have none, so non-root containers can read the token")
    Long fsGroup;

    @Option(names = "--pod-identity-cluster", description = "EKS Pod Identity for this cluster: service accounts with an association "
            + "(read from the EKS API at AWS_ENDPOINT_URL, with the AWS SDK's default credentials) get the agent's URL and token instead of IRSA")
    String podIdentityCluster;

    @Option(names = "--pod-identity-agent", defaultValue = PodMutator.POD_IDENTITY_AGENT,
            description = "where pods reach the node's Pod Identity agent (default ${DEFAULT-VALUE})")
    String podIdentityAgent;

    @Option(names = "--resync-seconds", defaultValue = "60", description = "informer resync period (default ${DEFAULT-VALUE})")
    long resyncSeconds;

    /** What the flags say pods get. */
    WebhookSettings settings() {
        return new WebhookSettings(annotationPrefix, audience, mountPath, region, regionalSts,
                Math.max(WebhookSettings.MIN_EXPIRATION, expiration), maxExpiration, stsEndpoint, fsGroup);
    }

    @Override
    public Integer call() throws Exception {
        if (!logs.apply()) {
            return 2;
        }
        Logger log = LoggerFactory.getLogger(WebhookCommand.class);
        Main.Listen at = listen;
        WebhookSettings settings = settings();
        ServiceAccounts accounts;
        if (source.file != null) {
            accounts = new FileServiceAccounts(source.file);
        } else {
            Config config = source.kubeconfig != null
                    ? Config.fromKubeconfig(Files.readString(source.kubeconfig))
                    : Config.autoConfigure(null);
            accounts = new KubernetesServiceAccounts(config, annotationPrefix, resyncSeconds * 1000);
        }
        ServingCertificate keys = new ServingCertificate(tlsCert, tlsKey);
        PodIdentityAssociations podIdentity = podIdentityCluster == null ? PodIdentityAssociations.NONE
                : EksPodIdentityAssociations.fromEnvironment(podIdentityCluster, Duration.ofSeconds(10));
        WebhookServer server = WebhookServer.start(at.host(), at.port(),
                keys.sslContext(), settings, accounts, podIdentity, podIdentityAgent);
        server.reportCertificateExpiry(keys::notAfter);
        log.info("IRSA webhook listening on https://{}:{}/mutate ({})", at.host(), server.port(),
                source.file != null ? "ServiceAccounts from " + source.file : "ServiceAccounts from the Kubernetes API");
        Main.serveUntilStopped(server);
        return 0;
    }
}
