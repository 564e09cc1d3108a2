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
 * The webhook as shipped (deploy/overlays/webhook) hangs together (names, labels, ports, secret, CA
 * injection), keeps admission safe and fast, drains on a rolling update, passes the webhook arguments
 * the command really takes, and gives pods OpenIRSA's STS endpoint from deploy/settings.
 */
class DeployManifestsTest {
    static List<HasMetadata> objects;

    @BeforeAll
    static void load() throws Exception {
        objects = load("webhook");
    }

    /** The objects deploy/overlays/NAME renders to. */
    static List<HasMetadata> load(String name) throws Exception {
        return RenderedManifests.load(name);
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
        assertThat(hook.getTimeoutSeconds()).as("short: failurePolicy Ignore admits the pod beyond it").isLessThanOrEqualTo(5);
        var namespaces = hook.getNamespaceSelector().getMatchExpressions();
        assertThat(namespaces).anySatisfy(e -> {
            assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
            assertThat(e.getOperator()).isEqualTo("NotIn");
            assertThat(e.getValues()).containsExactlyInAnyOrder("kube-system", one(Namespace.class).getMetadata().getName());
        });
        assertThat(namespaces).anySatisfy(e -> assertThat(e.getKey() + " " + e.getOperator())
                .isEqualTo("eks.amazonaws.com/skip-pod-identity-webhook DoesNotExist"));
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
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container.getReadinessProbe().getTimeoutSeconds()).isEqualTo(1);
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        // Drains: the endpoint goes before the process does, within the grace period.
        assertThat(container.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sleep", "5");
        assertThat(d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isGreaterThan(5L);
        // A priority class of its own, which clusters accept outside kube-system.
        String priority = d.getSpec().getTemplate().getSpec().getPriorityClassName();
        assertThat(priority).doesNotStartWith("system-");
        assertThat(one(io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass.class).getMetadata().getName()).isEqualTo(priority);

        // The arguments are the command's: picocli refuses any it does not know.
        CommandLine cli = Main.allCommands();
        CommandLine.ParseResult parsed = cli.parseArgs(container.getArgs().toArray(String[]::new));
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("webhook");
    }

    @Test
    void podsGetOpenIrsasStsEndpoint_fromTheSettings() throws Exception {
        var container = one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        var settingsMap = one(io.fabric8.kubernetes.api.model.ConfigMap.class);
        // Kubernetes expands $(VAR) in args from the container's env; here from the settings ConfigMap.
        List<String> args = new ArrayList<>();
        for (String a : container.getArgs().subList(1, container.getArgs().size())) {
            for (var e : container.getEnv()) {
                if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                    assertThat(e.getValueFrom().getConfigMapKeyRef().getName()).isEqualTo(settingsMap.getMetadata().getName());
                    a = a.replace("$(" + e.getName() + ")", settingsMap.getData().get(e.getValueFrom().getConfigMapKeyRef().getKey()));
                }
            }
            args.add(a);
        }
        WebhookCommand command = new WebhookCommand();
        new CommandLine(command).parseArgs(args.toArray(String[]::new));
        var mutator = new io.openirsa.webhook.PodMutator(command.settings(), new io.openirsa.webhook.ServiceAccounts() {
            @Override
            public java.util.Optional<io.openirsa.webhook.ServiceAccountSettings> find(String namespace, String name) {
                return java.util.Optional.of(new io.openirsa.webhook.ServiceAccountSettings("arn:aws:iam::123456789012:role/app", null, null, null));
            }

            @Override
            public boolean ready() {
                return true;
            }
        });
        var pod = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"serviceAccountName\":\"app\",\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}");
        assertThat(mutator.mutate(pod, "default").patch().toString())
                .contains("{\"name\":\"AWS_ENDPOINT_URL_STS\",\"value\":\"" + settingsMap.getData().get("public-url") + "\"}");
    }

    /**
     * The image is built from a clone by the Maven wrapper and runs bin/irsa (the JVM settings' one place)
     * as a non-root user; the files it copies exist where it says. (No container engine runs here to build it.)
     */
    @Test
    void containerfile_buildsFromAClone_andRunsBinIrsa_asNonRoot() throws Exception {
        Path root = RenderedManifests.deploy().getParent();
        List<String> lines = Files.readAllLines(root.resolve("deploy/Containerfile")).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(lines.stream().filter(l -> l.startsWith("FROM ")).toList()).hasSize(2);
        assertThat(lines).contains("RUN ./mvnw -B -q -DskipTests package -pl cli -am", "USER 65532:65532",
                "ENTRYPOINT [\"/opt/openirsa/bin/irsa\"]");
        assertThat(lines.indexOf("USER 65532:65532")).isGreaterThan(lines.indexOf(lines.stream().filter(l -> l.startsWith("FROM ")).toList().get(1)));
        assertThat(root.resolve("mvnw")).isExecutable();
        assertThat(root.resolve("bin/irsa")).isExecutable();
        assertThat(Files.readString(root.resolve(".dockerignore"))).contains("**/target");
        // The manifests run the image's entrypoint with a subcommand.
        assertThat(one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getCommand()).isNullOrEmpty();
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
