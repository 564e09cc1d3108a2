package io.openirsa.cli;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The objects an overlay of deploy/ renders to, with {@code kubectl kustomize} (as {@code kubectl apply -k}
 * renders it), read into fabric8's Kubernetes model; and the check that every field of every object
 * is one the Kubernetes API knows.
 */
final class RenderedManifests {
    private RenderedManifests() {
    }

    static Path deploy() {
        Path dir = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "deploy");
        return Files.isDirectory(dir.resolve("overlays")) ? dir : Path.of("..", "deploy");
    }

    /** The YAML {@code kubectl kustomize deploy/overlays/NAME} prints. */
    static String yaml(String overlay) throws Exception {
        Process p = new ProcessBuilder("kubectl", "kustomize", deploy().resolve("overlays").resolve(overlay).toString())
                .redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("kubectl kustomize deploy/overlays/" + overlay + " failed: " + err);
        }
        return out;
    }

    static List<HasMetadata> load(String overlay) throws Exception {
        return parse(yaml(overlay));
    }

    static List<HasMetadata> parse(String yaml) {
        Object parsed = new KubernetesSerialization().unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        List<HasMetadata> out = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            list.forEach(o -> out.add((HasMetadata) o));
        } else {
            out.add((HasMetadata) parsed);
        }
        return out;
    }

    /**
     * The fields the model did not know, as paths ({@code Deployment/openirsa-server: spec.template...}):
     * fabric8 keeps an unknown field in the object's additional properties instead of failing, so each
     * object is walked. Custom resources (cert-manager's) are checked against {@link #CUSTOM_FIELDS}.
     */
    static List<String> unknownFields(List<HasMetadata> objects) {
        List<String> unknown = new ArrayList<>();
        for (HasMetadata o : objects) {
            String where = o.getKind() + "/" + o.getMetadata().getName();
            if (o instanceof GenericKubernetesResource custom) {
                Set<String> known = CUSTOM_FIELDS.get(o.getApiVersion() + " " + o.getKind());
                if (known == null) {
                    unknown.add(where + ": kind " + o.getApiVersion() + " " + o.getKind() + " is not one this test knows");
                    continue;
                }
                Object spec = custom.getAdditionalProperties().get("spec");
                if (spec instanceof Map<?, ?> m) {
                    m.keySet().stream().filter(k -> !known.contains(k)).forEach(k -> unknown.add(where + ": spec." + k));
                }
                custom.getAdditionalProperties().keySet().stream().filter(k -> !k.equals("spec")).forEach(k -> unknown.add(where + ": " + k));
                walk(o.getMetadata(), where + ": metadata", unknown, new IdentityHashMap<>());
            } else {
                walk(o, where + ":", unknown, new IdentityHashMap<>());
            }
        }
        return unknown;
    }

    /** cert-manager.io/v1's spec fields of the kinds deploy/ uses (cert-manager's API reference). */
    static final Map<String, Set<String>> CUSTOM_FIELDS = Map.of(
            "cert-manager.io/v1 Issuer", Set.of("selfSigned", "ca", "acme", "vault", "venafi"),
            "cert-manager.io/v1 Certificate", Set.of("secretName", "secretTemplate", "commonName", "dnsNames", "ipAddresses", "uris",
                    "emailAddresses", "duration", "renewBefore", "renewBeforePercentage", "privateKey", "issuerRef", "isCA", "usages",
                    "subject", "keystores", "literalSubject", "otherNames", "revisionHistoryLimit", "additionalOutputFormats",
                    "nameConstraints", "signatureAlgorithm", "encodeUsagesInRequest"));

    private static void walk(Object o, String path, List<String> unknown, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, true) != null) {
            return;
        }
        if (o instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", unknown, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, unknown, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return; // strings, numbers, quantities' values
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                Object value = m.invoke(o);
                if (m.getName().equals("getAdditionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        extra.keySet().forEach(k -> unknown.add(path + " " + k));
                    }
                } else {
                    String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                    walk(value, path + (path.endsWith(":") ? " " : ".") + field, unknown, seen);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
