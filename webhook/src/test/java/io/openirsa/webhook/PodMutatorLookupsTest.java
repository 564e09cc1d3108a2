package io.openirsa.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openirsa.core.KubernetesNames;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What one review can make the webhook ask the API server for. */
class PodMutatorLookupsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A pod of 50 containers, each with an envFrom of the same ConfigMap and of 50 of its own. */
    @Test
    void aPodNamingThousandsOfConfigMaps_getsAtMostSixteenFetched_eachOnce() {
        MapServiceAccounts accounts = new MapServiceAccounts();
        accounts.accounts.put("default/app", ServiceAccountSettings.of(Map.of("role-arn", "arn:aws:iam::111122223333:role/app")));
        accounts.configMaps.put("default/shared", Set.of("AWS_REGION"));
        ObjectNode pod = JSON.createObjectNode();
        pod.putObject("metadata").put("name", "p").put("namespace", "default");
        ArrayNode containers = pod.putObject("spec").put("serviceAccountName", "app").putArray("containers");
        for (int c = 0; c < 50; c++) {
            ArrayNode envFrom = containers.addObject().put("name", "c" + c).put("image", "i").putArray("envFrom");
            envFrom.addObject().putObject("configMapRef").put("name", "shared");
            for (int m = 0; m < 50; m++) {
                envFrom.addObject().putObject("configMapRef").put("name", "cm-" + c + "-" + m);
            }
        }
        WebhookSettings region = new WebhookSettings("eks.amazonaws.com", "sts.amazonaws.com", "/var/run/secrets/eks.amazonaws.com/serviceaccount",
                "eu-west-1", false, 86400, 86400, null, null);
        PodMutator.Mutation m = new PodMutator(region, accounts).mutate(pod, "default");

        assertThat(m.outcome()).isEqualTo("mutated");
        assertThat(accounts.configMapsFetched).hasSize(PodMutator.MAX_CONFIG_MAPS).doesNotHaveDuplicates().contains("default/shared");
        assertThat(m.patch().toString()).contains("AWS_ROLE_ARN").contains("AWS_WEB_IDENTITY_TOKEN_FILE")
                .as("the region is left to the ConfigMaps not read").doesNotContain("AWS_REGION");
    }

    /** What cannot be a Kubernetes name is never looked up: megabytes, line breaks, capitals, a path. */
    @Test
    void namesThatKubernetesWouldRefuse_areNotLookedUp() {
        MapServiceAccounts accounts = new MapServiceAccounts();
        accounts.accounts.put("default/app", ServiceAccountSettings.of(Map.of("role-arn", "arn:aws:iam::111122223333:role/app")));
        PodMutator mutator = new PodMutator(WebhookSettings.defaults(), accounts);
        List<String> refused = List.of("a".repeat(1 << 20), "app\n2026-12-07 ERROR forged", "App", "../app", "app/x", "-app", "app.", "a".repeat(254), "");
        for (String name : refused) {
            ObjectNode pod = JSON.createObjectNode();
            pod.putObject("spec").put("serviceAccountName", name).putArray("containers").addObject().put("name", "c")
                    .putArray("envFrom").addObject().putObject("configMapRef").put("name", name);
            assertThat(mutator.mutate(pod, "default").outcome()).isIn("no-service-account", "no-role");
            assertThat(mutator.mutate(pod.deepCopy(), name.isEmpty() ? "a".repeat(64) : name).outcome()).isIn("no-service-account", "no-role");
        }
        assertThat(accounts.accountsFetched).as("only the empty name, which is the default ServiceAccount").containsOnly("default/default");
        ObjectNode pod = JSON.createObjectNode();
        pod.putObject("spec").put("serviceAccountName", "app").putArray("containers").addObject().put("name", "c").putArray("envFrom")
                .addObject().putObject("configMapRef").put("name", "Bad\nName");
        assertThat(mutator.mutate(pod, "default").outcome()).isEqualTo("mutated");
        assertThat(accounts.configMapsFetched).isEmpty();
        assertThat(KubernetesNames.isObjectName("my-app.v2")).isTrue();
        assertThat(KubernetesNames.isObjectName("a".repeat(63) + "." + "b".repeat(63))).isTrue();
        assertThat(KubernetesNames.isNamespace("kube-system")).isTrue();
        assertThat(KubernetesNames.isNamespace("a".repeat(64))).isFalse();
    }
}
