package io.openirsa.cli;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.openirsa.cli.DeployManifestsTest.one;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server as shipped: deploy/overlays/replicas (three replicas on PostgreSQL behind an HTTPS ingress)
 * and deploy/overlays/single (one on SQLite in a persistent volume). The objects hang together, the
 * probes hit the endpoints the server has within Kubernetes' timeout, the arguments and environment
 * are ones serve takes, and the public URL and host come from deploy/settings.
 */
class ServerManifestsTest {
    static List<HasMetadata> objects;

    @BeforeAll
    static void load() throws Exception {
        objects = DeployManifestsTest.load("replicas");
    }

    static Container server() {
        return one(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    @Test
    void replicasSurviveADisruptionAndARollout() {
        Deployment d = one(objects, Deployment.class);
        PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isLessThan(d.getSpec().getReplicas());
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels())
                .containsAllEntriesOf(one(objects, Service.class).getSpec().getSelector())
                .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels())
                .containsKey("eks.amazonaws.com/skip-pod-identity-webhook");
    }

    @Test
    void probesUseReadinessAndHealth() {
        Container c = server();
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getReadinessProbe().getTimeoutSeconds()).as("ReadinessTest: /readyz answers within it").isEqualTo(1);
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo(c.getReadinessProbe().getHttpGet().getPort().getStrVal()));
        assertThat(c.getPorts().get(0).getContainerPort()).isEqualTo(8580);
        assertThat(c.getArgs()).contains("--listen=0.0.0.0:8580");
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");
    }

    @Test
    void secretsComeFromTheSecretAndAreSharedByEveryReplica() {
        Container c = server();
        Map<String, EnvVar> env = c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertThat(env.get("OPENIRSA_DATABASE").getValueFrom().getSecretKeyRef().getName()).isEqualTo("openirsa-server");
        assertThat(env.get("OPENIRSA_DATABASE").getValue()).isNull();
        String kekFile = env.get("OPENIRSA_KEY_ENCRYPTION_KEY_FILE").getValue();
        var kekVolume = one(objects, Deployment.class).getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getSecret() != null).findFirst().orElseThrow();
        assertThat(kekVolume.getSecret().getSecretName()).isEqualTo("openirsa-server");
        String mount = c.getVolumeMounts().stream().filter(m -> m.getName().equals(kekVolume.getName())).findFirst().orElseThrow().getMountPath();
        assertThat(kekFile).isEqualTo(mount + "/" + kekVolume.getSecret().getItems().get(0).getPath());
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(one(objects, ServiceAccount.class).getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    void argumentsAndEnvironmentAreOnesServeTakes() {
        Container c = server();
        CommandLine main = ConfigDefaults.install(Main.allCommands(), c.getArgs().toArray(String[]::new),
                Map.of("OPENIRSA_DATABASE", "postgresql://u:p@db:5432/openirsa", "OPENIRSA_KEY_ENCRYPTION_KEY_FILE", "/etc/openirsa/kek/key"));
        CommandLine.ParseResult parsed = main.parseArgs(c.getArgs().toArray(String[]::new));
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("serve");
        var serve = main.getSubcommands().get("serve").getCommandSpec();
        for (EnvVar e : c.getEnv()) {
            if (e.getName().equals("OPENIRSA_REQUEST_LOG")) {
                continue; // read by LogSetup, not a flag
            }
            String flag = "--" + e.getName().substring("OPENIRSA_".length()).toLowerCase().replace('_', '-');
            assertThat(serve.findOption(flag)).as(e.getName() + " names a serve flag").isNotNull();
        }
        assertThat(serve.findOption("--database").<String>getValue()).isEqualTo("postgresql://u:p@db:5432/openirsa");
    }

    @Test
    void ingressServesThePublicUrlOverHttps() {
        Ingress ingress = one(objects, Ingress.class);
        String publicUrl = settings(objects).get("public-url");
        EnvVar env = server().getEnv().stream().filter(e -> e.getName().equals("OPENIRSA_PUBLIC_URL")).findFirst().orElseThrow();
        assertThat(env.getValueFrom().getConfigMapKeyRef().getName()).isEqualTo(one(objects, io.fabric8.kubernetes.api.model.ConfigMap.class)
                .getMetadata().getName());
        assertThat(publicUrl).startsWith("https://");
        String host = publicUrl.substring("https://".length());
        assertThat(ingress.getSpec().getTls().get(0).getHosts()).contains(host);
        assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo(host).isEqualTo(settings(objects).get("host"));
        assertThat(ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getName())
                .isEqualTo(one(objects, Service.class).getMetadata().getName());
    }

    static Map<String, String> settings(List<HasMetadata> objects) {
        return one(objects, io.fabric8.kubernetes.api.model.ConfigMap.class).getData();
    }

    @Test
    void singleServer_keepsItsSqliteDataOnAVolume_andNeverRunsTwoAtOnce() throws Exception {
        List<HasMetadata> single = DeployManifestsTest.load("single");
        Deployment d = one(single, Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        var data = d.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals("data")).findFirst().orElseThrow();
        assertThat(data.getPersistentVolumeClaim().getClaimName())
                .isEqualTo(one(single, io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class).getMetadata().getName());
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getName() + " " + m.getMountPath()).isEqualTo("data /var/lib/openirsa"));
        assertThat(c.getArgs()).contains("--data=/var/lib/openirsa");
        assertThat(c.getEnv()).noneMatch(e -> e.getName().equals("OPENIRSA_DATABASE")).as("SQLite: its key-encryption key is generated in the volume")
                .noneMatch(e -> e.getName().equals("OPENIRSA_KEY_ENCRYPTION_KEY_FILE"));
        assertThat(one(single, Ingress.class).getSpec().getRules().get(0).getHost()).isEqualTo(settings(single).get("host"));
    }
}
