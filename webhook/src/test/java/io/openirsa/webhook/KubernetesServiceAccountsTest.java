package io.openirsa.webhook;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** ServiceAccounts from the fabric8 mock API server (CRUD mode): the informer, and a pod's race with its ServiceAccount. */
@EnableKubernetesMockClient(crud = true)
class KubernetesServiceAccountsTest {
    KubernetesMockServer server;
    KubernetesClient client;

    static ServiceAccount sa(String namespace, String name, Map<String, String> annotations) {
        return new ServiceAccountBuilder().withNewMetadata().withNamespace(namespace).withName(name).withAnnotations(annotations)
                .endMetadata().build();
    }

    static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("condition within 10 s").isBefore(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void informer_syncs_thenFollowsChanges() throws Exception {
        client.serviceAccounts().inNamespace("default").resource(sa("default", "app",
                Map.of("eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/app", "eks.amazonaws.com/token-expiration", "3600",
                        "unrelated.example.com/x", "y"))).create();
        try (KubernetesServiceAccounts sas = new KubernetesServiceAccounts(client.getConfiguration(), "eks.amazonaws.com", 60_000)) {
            await(sas::ready);
            ServiceAccountSettings s = sas.find("default", "app").orElseThrow();
            assertThat(s.roleArn()).isEqualTo("arn:aws:iam::111122223333:role/app");
            assertThat(s.tokenExpiration()).isEqualTo(3600L);

            client.serviceAccounts().inNamespace("default").withName("app").edit(x -> {
                x.getMetadata().getAnnotations().put("eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/changed");
                return x;
            });
            await(() -> sas.find("default", "app").map(ServiceAccountSettings::roleArn).orElse("").endsWith("/changed"));

            client.serviceAccounts().inNamespace("default").withName("app").delete();
            await(() -> sas.find("default", "app").isEmpty());
        }
    }

    @Test
    void podCreatedRightAfterItsServiceAccount_isStillFound() throws Exception {
        try (KubernetesServiceAccounts sas = new KubernetesServiceAccounts(client.getConfiguration(), "eks.amazonaws.com", 60_000)) {
            await(sas::ready);
            // Create and look up at once, as the API server calls the webhook for a pod created right after
            // its ServiceAccount; whether the watch event has arrived or not, the lookup must find it.
            for (int i = 0; i < 20; i++) {
                client.serviceAccounts().inNamespace("race").resource(sa("race", "sa-" + i, Map.of("eks.amazonaws.com/role-arn",
                        "arn:aws:iam::111122223333:role/r" + i))).create();
                assertThat(sas.find("race", "sa-" + i)).as("sa-" + i).map(ServiceAccountSettings::roleArn)
                        .contains("arn:aws:iam::111122223333:role/r" + i);
            }
            assertThat(sas.find("race", "never-created")).isEmpty();
        }
    }

    @Test
    void configMapKeys_comeFromTheApi() throws Exception {
        client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("aws").withNamespace("default")
                .endMetadata().addToData("AWS_REGION", "eu-west-1").build()).create();
        try (KubernetesServiceAccounts sas = new KubernetesServiceAccounts(client.getConfiguration(), "eks.amazonaws.com", 60_000)) {
            assertThat(sas.configMapKeys("default", "aws")).contains(Set.of("AWS_REGION"));
            assertThat(sas.configMapKeys("default", "missing")).isEqualTo(Optional.of(Set.of()));
        }
    }
}
