package io.openirsa.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every overlay of deploy/ renders with {@code kubectl kustomize}, and every field of every rendered
 * object is one the Kubernetes API knows (fabric8's models of it; cert-manager's fields for its
 * kinds): a typo in a manifest fails the build.
 */
class DeploySchemaTest {
    @ParameterizedTest
    @ValueSource(strings = {"single", "replicas", "webhook"})
    void everyOverlay_rendersToObjectsOfTheKubernetesApi_withNoUnknownField(String overlay) throws Exception {
        List<HasMetadata> objects = RenderedManifests.load(overlay);
        assertThat(objects).hasSizeGreaterThanOrEqualTo(5);
        assertThat(RenderedManifests.unknownFields(objects)).isEmpty();
        for (HasMetadata o : objects) {
            assertThat(o.getMetadata().getName()).as(o.getKind()).isNotBlank();
            assertThat(o.getApiVersion()).as(o.getKind()).isNotBlank();
        }
    }

    @Test
    void aTypo_isFound() throws Exception {
        String yaml = RenderedManifests.yaml("single");
        assertThat(RenderedManifests.unknownFields(RenderedManifests.parse(yaml.replace("containerPort:", "containerport:")
                .replace("readOnlyRootFilesystem:", "readOnlyRootFileSystem:")))).containsExactlyInAnyOrder(
                "Deployment/openirsa-server: spec.template.spec.containers[0].ports[0] containerport",
                "Deployment/openirsa-server: spec.template.spec.containers[0].securityContext readOnlyRootFileSystem");
        String webhook = RenderedManifests.yaml("webhook");
        assertThat(RenderedManifests.unknownFields(RenderedManifests.parse(webhook.replace("renewBefore:", "renewbefore:"))))
                .containsExactly("Certificate/openirsa-webhook: spec.renewbefore");
    }
}
