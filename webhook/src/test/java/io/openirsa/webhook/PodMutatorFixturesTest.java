package io.openirsa.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fixtures in src/test/resources/fixtures: an input pod, ServiceAccount settings, webhook
 * settings, and the pod expected after the returned patch is applied by a JSON Patch library.
 * Pods are compared, not patch text.
 */
class PodMutatorFixturesTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();
    static final tools.jackson.databind.ObjectMapper JSON3 = new tools.jackson.databind.ObjectMapper();

    static List<Path> fixtures() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("src/test/resources/fixtures"))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    static WebhookSettings settings(JsonNode s) {
        WebhookSettings d = WebhookSettings.defaults();
        return new WebhookSettings(s.path("annotationPrefix").asText(d.annotationPrefix()), s.path("defaultAudience").asText(d.defaultAudience()),
                s.path("mountPath").asText(d.mountPath()), s.path("region").asText(null), s.path("regionalSts").asBoolean(d.regionalSts()),
                s.path("defaultExpiration").asLong(d.defaultExpiration()), s.path("maxExpiration").asLong(d.maxExpiration()),
                s.path("stsEndpoint").asText(null), s.has("fsGroup") ? s.get("fsGroup").asLong() : null);
    }

    /** Applies a patch with fabric8's zjsonpatch, a JSON Patch (RFC 6902) implementation we did not write. */
    static JsonNode apply(List<? extends JsonNode> patch, JsonNode pod) throws IOException {
        var patched = JsonPatch.apply(JSON3.readTree(JSON.writeValueAsString(patch)), JSON3.readTree(JSON.writeValueAsString(pod)));
        return JSON.readTree(JSON3.writeValueAsString(patched));
    }

    @TestFactory
    Stream<DynamicTest> fixtures_matchTheExpectedPod() throws IOException {
        List<Path> files = fixtures();
        assertThat(files).hasSizeGreaterThanOrEqualTo(30);
        List<DynamicTest> tests = new ArrayList<>();
        for (Path f : files) {
            tests.add(DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
                JsonNode fixture = YAML.readTree(f.toFile());
                assertThat(fixture.path("description").asText()).isNotBlank();
                MapServiceAccounts sas = new MapServiceAccounts();
                fixture.path("serviceAccounts").fields().forEachRemaining(e -> {
                    Map<String, String> values = new HashMap<>();
                    e.getValue().fields().forEachRemaining(v -> values.put(v.getKey(), v.getValue().asText()));
                    sas.accounts.put(e.getKey(), ServiceAccountSettings.of(values));
                });
                fixture.path("configMaps").fields().forEachRemaining(e -> {
                    var keys = new HashSet<String>();
                    e.getValue().forEach(k -> keys.add(k.asText()));
                    sas.configMaps.put(e.getKey(), keys);
                });
                JsonNode pod = fixture.get("pod");
                Set<String> associated = new HashSet<>();
                fixture.path("podIdentityAssociations").forEach(a -> associated.add(a.asText()));
                // The jitter's source gives 0: a jittered Pod Identity lifetime is then its lowest, 79,200 s.
                PodMutator.Mutation m = new PodMutator(settings(fixture.path("settings")), sas,
                        (namespace, account) -> associated.contains(namespace + "/" + account), PodMutator.POD_IDENTITY_AGENT, () -> 0L)
                        .mutate(pod, "default");
                for (JsonNode op : m.patch()) {
                    assertThat(op.path("op").asText()).as("patches only add").isEqualTo("add");
                    assertThat(op.path("path").asText()).as("never a whole container array")
                            .doesNotMatch("/spec/(init)?[cC]ontainers");
                }
                assertThat(apply(m.patch(), pod)).isEqualTo(fixture.get("expected"));
                List<String> expectedWarnings = new ArrayList<>();
                fixture.path("warnings").forEach(w -> expectedWarnings.add(w.asText()));
                assertThat(m.warnings()).hasSameSizeAs(expectedWarnings);
                for (int i = 0; i < expectedWarnings.size(); i++) {
                    assertThat(m.warnings().get(i)).contains(expectedWarnings.get(i));
                }
            }));
        }
        return tests.stream();
    }
}
