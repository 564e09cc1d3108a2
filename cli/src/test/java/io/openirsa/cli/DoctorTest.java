package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.zjsonpatch.JsonPatch;
import io.openirsa.webhook.PodMutator;
import io.openirsa.webhook.ServiceAccountSettings;
import io.openirsa.webhook.ServiceAccounts;
import io.openirsa.webhook.WebhookSettings;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code irsa doctor pod}: each row of the troubleshooting guide, against the fabric8 mock API server. */
@EnableKubernetesMockClient(crud = true)
class DoctorTest {
    static final String ROLE = "arn:aws:iam::111122223333:role/app";
    static final String PROVIDER = "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/ABC";
    static final ObjectMapper JSON = new ObjectMapper();
    static final tools.jackson.databind.ObjectMapper JSON3 = new tools.jackson.databind.ObjectMapper(); // zjsonpatch's Jackson
    KubernetesMockServer server;
    KubernetesClient client;
    final Doctor doctor = new Doctor(WebhookSettings.defaults());

    static String trust(String subject) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + PROVIDER + "\"},"
                + "\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\"oidc.example.com/id/ABC:sub\":\"" + subject
                + "\",\"oidc.example.com/id/ABC:aud\":\"sts.amazonaws.com\"}}}]}";
    }

    void serviceAccount(String name, Map<String, String> annotations) {
        client.serviceAccounts().inNamespace("default").resource(new ServiceAccountBuilder().withNewMetadata().withNamespace("default")
                .withName(name).withAnnotations(annotations).endMetadata().build()).create();
    }

    /** Creates a pod the way the API server would after the webhook: the input pod with the webhook's patch applied. */
    void pod(String name, String serviceAccount, boolean throughWebhook) throws Exception {
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withServiceAccountName(serviceAccount).addNewContainer().withName("app").withImage("amazonlinux").endContainer()
                .endSpec().build();
        if (throughWebhook) {
            Map<String, ServiceAccountSettings> sas = new HashMap<>();
            client.serviceAccounts().inNamespace("default").list().getItems().forEach(sa -> {
                Map<String, String> values = new HashMap<>();
                if (sa.getMetadata().getAnnotations() != null) {
                    sa.getMetadata().getAnnotations().forEach((k, v) -> values.put(k.replace("eks.amazonaws.com/", ""), v));
                }
                sas.put(sa.getMetadata().getName(), ServiceAccountSettings.of(values));
            });
            JsonNode json = JSON.readTree(client.getKubernetesSerialization().asJson(pod));
            ServiceAccounts known = new ServiceAccounts() {
                @Override
                public Optional<ServiceAccountSettings> find(String namespace, String name) {
                    return Optional.ofNullable(sas.get(name));
                }

                @Override
                public boolean ready() {
                    return true;
                }
            };
            PodMutator.Mutation m = new PodMutator(WebhookSettings.defaults(), known).mutate(json, "default");
            var patched = JsonPatch.apply(JSON3.readTree(JSON.writeValueAsString(m.patch())), JSON3.readTree(JSON.writeValueAsString(json)));
            pod = client.getKubernetesSerialization().unmarshal(JSON3.writeValueAsString(patched), Pod.class);
        }
        client.pods().inNamespace("default").resource(pod).create();
    }

    static Doctor.Check row(List<Doctor.Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no row " + name + " in " + checks));
    }

    @Test
    void aMutatedPod_withATrustingRole_passesEveryRow() throws Exception {
        serviceAccount("app", Map.of("eks.amazonaws.com/role-arn", ROLE));
        pod("good", "app", true);
        List<Doctor.Check> checks = doctor.examine(client, "default", "good", r -> Optional.of(trust("system:serviceaccount:default:app")));
        assertThat(checks).extracting(Doctor.Check::name).containsExactly("role-arn annotation", "token volume", "container app", "trust policy");
        assertThat(checks).allSatisfy(c -> assertThat(c.ok()).as(c.toString()).isTrue());
    }

    @Test
    void aPodCreatedBeforeTheWebhook_isToldToBeRecreated() throws Exception {
        serviceAccount("late", Map.of("eks.amazonaws.com/role-arn", ROLE));
        pod("early", "late", false);
        List<Doctor.Check> checks = doctor.examine(client, "default", "early", r -> Optional.empty());
        assertThat(row(checks, "token volume").ok()).isFalse();
        assertThat(row(checks, "token volume").fix()).contains("recreate the pod");
        assertThat(row(checks, "container app").ok()).isFalse();
    }

    @Test
    void aServiceAccountWithoutAnnotation_getsTheKubectlCommand() throws Exception {
        serviceAccount("plain", Map.of());
        pod("plainpod", "plain", false);
        List<Doctor.Check> checks = doctor.examine(client, "default", "plainpod", r -> Optional.empty());
        assertThat(checks).singleElement().satisfies(c -> {
            assertThat(c.ok()).isFalse();
            assertThat(c.fix()).startsWith("kubectl annotate serviceaccount -n default plain eks.amazonaws.com/role-arn=");
        });
    }

    @Test
    void anAnnotationChangedAfterThePodStarted_asksForARestart() throws Exception {
        serviceAccount("moving", Map.of("eks.amazonaws.com/role-arn", ROLE));
        pod("stale", "moving", true);
        client.serviceAccounts().inNamespace("default").withName("moving").edit(sa -> {
            sa.getMetadata().getAnnotations().put("eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/new");
            return sa;
        });
        Doctor.Check c = row(doctor.examine(client, "default", "stale", r -> Optional.empty()), "container app");
        assertThat(c.ok()).isFalse();
        assertThat(c.fix()).contains("restart the pod");
    }

    @Test
    void aTrustPolicyForAnotherServiceAccount_isExplained() throws Exception {
        serviceAccount("wrongsa", Map.of("eks.amazonaws.com/role-arn", ROLE));
        pod("denied", "wrongsa", true);
        Doctor.Check c = row(doctor.examine(client, "default", "denied", r -> Optional.of(trust("system:serviceaccount:default:app"))), "trust policy");
        assertThat(c.ok()).isFalse();
        assertThat(c.detail()).contains("system:serviceaccount:default:wrongsa").contains("does not hold")
                .contains("`system:serviceaccount:default:app`");
        assertThat(c.fix()).contains("system:serviceaccount:default:wrongsa");
    }

    @Test
    void aMissingPodOrServiceAccount_stopsEarly() throws Exception {
        assertThat(doctor.examine(client, "default", "ghost", r -> Optional.empty())).singleElement()
                .satisfies(c -> assertThat(c.name()).isEqualTo("pod"));
        pod("orphan", "nobody", false);
        assertThat(doctor.examine(client, "default", "orphan", r -> Optional.empty())).singleElement()
                .satisfies(c -> assertThat(c.fix()).isEqualTo("create it: kubectl create serviceaccount -n default nobody"));
    }
}
