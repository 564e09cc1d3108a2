package io.openirsa.cli;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped manifests (deploy/webhook) parse as the Kubernetes types they claim to be, hang
 * together (names, labels, ports, secret, CA injection), keep admission safe, and pass the webhook
 * arguments the command really takes.
 */
class DeployManifestsTest {
    static List<HasMetadata> objects;

    @BeforeAll
    static void load() throws Exception {
        objects = load("webhook");
    }

    /** Every object of the YAML files in deploy/NAME, in file order. */
    static List<HasMetadata> load(String name) throws Exception {
        Path dir = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "deploy", name);
        if (!Files.isDirectory(dir)) {
            dir = Path.of("..", "deploy", name);
        }
        List<HasMetadata> loaded = new ArrayList<>();
        KubernetesSerialization serialization = new KubernetesSerialization();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    Object parsed = serialization.unmarshal(in);
                    if (parsed instanceof List<?> list) {
                        list.forEach(o -> loaded.add((HasMetadata) o));
                    } else {
                        loaded.add((HasMetadata) parsed);
                    }
                }
            }
        }
        return loaded;
    }

    static <T> T one(Class<T> type) {
        return one(objects, type);
    }

    static <T> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    @Test
    void everyObject_isOfAKnownKind_inTheOpenirsaNamespaceOrClusterScoped() {
        assertThat(objects).hasSizeGreaterThanOrEqualTo(10);
        for (HasMetadata o : objects) {
            assertThat(o.getMetadata().getName()).isNotBlank();
        }
        assertThat(one(Namespace.class).getMetadata().getName()).isEqualTo("openirsa");
    }

    @Test
    void webhookConfiguration_isSafe_andPointsAtTheService() {
        MutatingWebhookConfiguration config = one(MutatingWebhookConfiguration.class);
        assertThat(config.getMetadata().getAnnotations()).containsEntry("cert-manager.io/inject-ca-from", "openirsa/openirsa-webhook");
        MutatingWebhook hook = config.getWebhooks().get(0);
        assertThat(hook.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(hook.getSideEffects()).isEqualTo("None");
        assertThat(hook.getAdmissionReviewVersions()).containsExactly("v1");
        assertThat(hook.getRules().get(0).getOperations()).containsExactly("CREATE");
        assertThat(hook.getRules().get(0).getResources()).containsExactly("pods");
        assertThat(hook.getObjectSelector().getMatchExpressions().get(0).getKey()).isEqualTo("eks.amazonaws.com/skip-pod-identity-webhook");
        assertThat(hook.getObjectSelector().getMatchExpressions().get(0).getOperator()).isEqualTo("DoesNotExist");
        Service service = one(Service.class);
        assertThat(hook.getClientConfig().getService().getName()).isEqualTo(service.getMetadata().getName());
        assertThat(hook.getClientConfig().getService().getNamespace()).isEqualTo(service.getMetadata().getNamespace());
        assertThat(hook.getClientConfig().getService().getPath()).isEqualTo("/mutate");
    }

    @Test
    void deployment_isHighlyAvailable_andServesTheCertificateSecret() {
        Deployment d = one(Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        PodDisruptionBudget pdb = one(PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(podLabels).containsAllEntriesOf(one(Service.class).getSpec().getSelector());
        assertThat(podLabels).containsKey("eks.amazonaws.com/skip-pod-identity-webhook");

        var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        String secret = d.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getSecret() != null)
                .findFirst().orElseThrow().getSecret().getSecretName();
        GenericKubernetesResource certificate = objects.stream().filter(GenericKubernetesResource.class::isInstance)
                .map(GenericKubernetesResource.class::cast).filter(o -> o.getKind().equals("Certificate")).findFirst().orElseThrow();
        assertThat(((Map<?, ?>) certificate.getAdditionalProperties().get("spec")).get("secretName")).isEqualTo(secret);
        assertThat(((Map<?, ?>) ((Map<?, ?>) certificate.getAdditionalProperties().get("spec")).get("privateKey")).get("encoding")).isEqualTo("PKCS8");
        assertThat(container.getArgs()).contains("--tls-cert=/etc/webhook/certs/tls.crt", "--tls-key=/etc/webhook/certs/tls.key");
        assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/etc/webhook/certs"));
        assertThat(container.getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo(one(Service.class).getSpec().getPorts().get(0).getTargetPort().getStrVal()));
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");

        // The arguments are the command's: picocli refuses any it does not know.
        CommandLine cli = new CommandLine(new Main());
        CommandLine.ParseResult parsed = cli.parseArgs(container.getArgs().toArray(String[]::new));
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("webhook");
    }

    @Test
    void rbac_grantsWhatTheInformerAndLookupsNeed_toTheWebhookServiceAccount() {
        ClusterRole role = one(ClusterRole.class);
        assertThat(role.getRules()).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("serviceaccounts");
            assertThat(r.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
        });
        assertThat(role.getRules()).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("configmaps");
            assertThat(r.getVerbs()).containsExactly("get");
        });
        ClusterRoleBinding binding = one(ClusterRoleBinding.class);
        ServiceAccount sa = one(ServiceAccount.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects().get(0).getName()).isEqualTo(sa.getMetadata().getName());
        assertThat(one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(sa.getMetadata().getName());
    }
}
