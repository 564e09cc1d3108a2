package io.openirsa.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An API server whose list and watch never deliver (the informer never syncs): a lookup still finds
 * the ServiceAccount through a direct GET. This is the path a pod created right after its
 * ServiceAccount takes when the watch event is late.
 */
@EnableKubernetesMockClient
class KubernetesServiceAccountsFallbackTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void cacheMiss_fallsBackToADirectGet() {
        server.expect().get().withPath("/api/v1/namespaces/default/serviceaccounts/late")
                .andReturn(200, KubernetesServiceAccountsTest.sa("default", "late", Map.of("eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/late")))
                .always();
        try (KubernetesServiceAccounts sas = new KubernetesServiceAccounts(client.getConfiguration(), "eks.amazonaws.com", 60_000)) {
            assertThat(sas.ready()).isFalse();
            assertThat(sas.find("default", "late")).map(ServiceAccountSettings::roleArn).contains("arn:aws:iam::111122223333:role/late");
            assertThat(sas.find("default", "unknown")).isEmpty();
        }
    }
}
