package io.openirsa.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A Pod Identity token of the default day gets a lifetime between 22 and 24 hours; any other is kept. */
class PodIdentityLifetimeTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static long lifetime(PodMutator mutator, String podAnnotation) throws Exception {
        String annotations = podAnnotation == null ? "{}" : "{\"eks.amazonaws.com/token-expiration\": \"" + podAnnotation + "\"}";
        JsonNode pod = JSON.readTree("{\"metadata\": {\"name\": \"p\", \"annotations\": " + annotations + "},"
                + " \"spec\": {\"serviceAccountName\": \"app\", \"containers\": [{\"name\": \"c\", \"image\": \"i\"}]}}");
        PodMutator.Mutation m = mutator.mutate(pod, "default");
        assertThat(m.outcome()).isEqualTo("mutated-pod-identity");
        return m.patch().stream().filter(op -> op.path("path").asText().startsWith("/spec/volumes")).findFirst().orElseThrow()
                .findValue("expirationSeconds").asLong();
    }

    static PodMutator mutator() {
        MapServiceAccounts none = new MapServiceAccounts();
        return new PodMutator(WebhookSettings.defaults(), none, (namespace, account) -> true, PodMutator.POD_IDENTITY_AGENT);
    }

    @Test
    void theDefaultDay_isJitteredWithin22To24Hours() throws Exception {
        PodMutator mutator = mutator();
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            long l = lifetime(mutator, null);
            assertThat(l).isBetween(79_200L, 86_400L);
            seen.add(l);
        }
        assertThat(seen).as("the lifetimes differ from pod to pod").hasSizeGreaterThan(100);
        assertThat(lifetime(mutator, "86400")).as("a day asked for by the pod is jittered too, as the anchor does").isBetween(79_200L, 86_400L);
    }

    @Test
    void anotherLifetime_isKept_andTheServiceAccountsApplies() throws Exception {
        assertThat(lifetime(mutator(), "3600")).isEqualTo(3600);
        assertThat(lifetime(mutator(), "60")).as("raised to the 600 s kube-apiserver accepts").isEqualTo(600);
        MapServiceAccounts sas = new MapServiceAccounts();
        sas.accounts.put("default/app", ServiceAccountSettings.of(Map.of("token-expiration", "7200")));
        PodMutator fromSa = new PodMutator(WebhookSettings.defaults(), sas, (namespace, account) -> true, PodMutator.POD_IDENTITY_AGENT);
        assertThat(lifetime(fromSa, null)).isEqualTo(7200);
    }
}
