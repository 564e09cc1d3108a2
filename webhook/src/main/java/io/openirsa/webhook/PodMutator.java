package io.openirsa.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Works out the JSON Patch that gives a pod IRSA: environment variables and the token mount in each
 * container not skipped, and the projected token volume. Patches only add, one entry at a time, so
 * whatever else the pod holds (fields this code does not know among them) is never rewritten.
 */
public final class PodMutator {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    static final String WINDOWS_TOKEN_DIR = "C:\\var\\run\\secrets\\eks.amazonaws.com\\serviceaccount\\";

    /** EKS Pod Identity: the agent's address (EKS's own), the token's volume, file and audience. */
    public static final String POD_IDENTITY_AGENT = "http://169.254.170.23/v1/credentials";
    static final String POD_IDENTITY_VOLUME = "eks-pod-identity-token";
    static final String POD_IDENTITY_DIR = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount";
    static final String POD_IDENTITY_AUDIENCE = "pods.eks.amazonaws.com";

    private final WebhookSettings settings;
    private final ServiceAccounts serviceAccounts;
    private final PodIdentityAssociations podIdentity;
    private final String podIdentityAgent;

    public PodMutator(WebhookSettings settings, ServiceAccounts serviceAccounts) {
        this(settings, serviceAccounts, PodIdentityAssociations.NONE, POD_IDENTITY_AGENT);
    }

    /** @param podIdentityAgent the URL pods reach the node's Pod Identity agent at */
    public PodMutator(WebhookSettings settings, ServiceAccounts serviceAccounts, PodIdentityAssociations podIdentity, String podIdentityAgent) {
        this.settings = settings;
        this.serviceAccounts = serviceAccounts;
        this.podIdentity = podIdentity;
        this.podIdentityAgent = podIdentityAgent;
    }

    /**
     * The patch (possibly empty), what the caller should be warned of, and the outcome for metrics:
     * {@code mutated}, {@code opted-out}, {@code no-service-account}, {@code no-role}, {@code conflict}
     * or {@code nothing-to-do}.
     */
    public record Mutation(String outcome, List<ObjectNode> patch, List<String> warnings) {
        public Mutation {
            patch = List.copyOf(patch);
            warnings = List.copyOf(warnings);
        }

        static Mutation none(String outcome, String... warnings) {
            return new Mutation(outcome, List.of(), Arrays.asList(warnings));
        }
    }

    public Mutation mutate(JsonNode pod, String namespace) {
        JsonNode metadata = pod.path("metadata");
        if (metadata.path("labels").has(settings.annotation("skip-pod-identity-webhook"))) {
            return Mutation.none("opted-out");
        }
        String serviceAccount = pod.path("spec").path("serviceAccountName").asText("");
        if (serviceAccount.isEmpty()) {
            serviceAccount = "default";
        }
        if (podIdentity.associated(namespace, serviceAccount)) {
            return podIdentity(pod.path("spec"), skippedContainers(metadata)); // preferred over a role-arn annotation, as on EKS
        }
        Optional<ServiceAccountSettings> found = serviceAccounts.find(namespace, serviceAccount);
        if (found.isEmpty()) {
            return Mutation.none("no-service-account");
        }
        if (!found.get().hasRole()) {
            return Mutation.none("no-role");
        }
        ServiceAccountSettings sa = found.get();
        JsonNode spec = pod.path("spec");

        JsonNode existingVolume = null;
        for (JsonNode v : spec.path("volumes")) {
            if (WebhookSettings.VOLUME.equals(v.path("name").asText())) {
                existingVolume = v;
            }
        }
        if (existingVolume != null && existingVolume.path("projected").path("sources").findValue("serviceAccountToken") == null) {
            return Mutation.none("conflict", "a volume named " + WebhookSettings.VOLUME + " exists and is not a projected service account token: "
                    + "the pod was admitted without IRSA; rename that volume");
        }

        String tokenFile = isWindows(spec) ? WINDOWS_TOKEN_DIR + WebhookSettings.TOKEN_PATH
                : settings.mountPath() + "/" + WebhookSettings.TOKEN_PATH;
        boolean regionalSts = sa.regionalSts() != null ? sa.regionalSts() : settings.regionalSts();
        Set<String> skipped = skippedContainers(metadata);

        List<ObjectNode> patch = new ArrayList<>();
        boolean mounted = forEachContainer(spec, skipped, (c, path) -> mutateContainer(c, path, namespace, sa, tokenFile, regionalSts, patch));
        if (!mounted) {
            return Mutation.none("nothing-to-do");
        }
        if (existingVolume == null) {
            ObjectNode volume = volume(sa.audience() != null ? sa.audience() : settings.defaultAudience(), expiration(metadata, sa));
            if (spec.has("volumes") && spec.get("volumes").isArray()) {
                patch.add(op("/spec/volumes/-", volume));
            } else {
                patch.add(op("/spec/volumes", JSON.arrayNode().add(volume)));
            }
        }
        if (settings.fsGroup() != null && !spec.path("securityContext").has("fsGroup")) {
            if (spec.has("securityContext")) {
                patch.add(op("/spec/securityContext/fsGroup", JSON.numberNode(settings.fsGroup())));
            } else {
                patch.add(op("/spec/securityContext", JSON.objectNode().put("fsGroup", settings.fsGroup())));
            }
        }
        return new Mutation("mutated", patch, List.of());
    }

    /** Pod Identity: the agent's URL and the token file in each container, and the token's projected volume. */
    private Mutation podIdentity(JsonNode spec, Set<String> skipped) {
        String tokenFile = POD_IDENTITY_DIR + "/" + POD_IDENTITY_VOLUME;
        List<ObjectNode> patch = new ArrayList<>();
        boolean mounted = forEachContainer(spec, skipped, (c, path) -> {
            Set<String> set = new HashSet<>();
            c.path("env").forEach(e -> set.add(e.path("name").asText()));
            if (set.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI") || set.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
                return false; // the container brings its own container credentials: left alone
            }
            appendAll(c, path, "env", List.of(
                    JSON.objectNode().put("name", "AWS_CONTAINER_CREDENTIALS_FULL_URI").put("value", podIdentityAgent),
                    JSON.objectNode().put("name", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").put("value", tokenFile)), patch);
            boolean hasMount = false;
            for (JsonNode m : c.path("volumeMounts")) {
                hasMount |= POD_IDENTITY_VOLUME.equals(m.path("name").asText());
            }
            if (!hasMount) {
                appendAll(c, path, "volumeMounts", List.of(JSON.objectNode().put("name", POD_IDENTITY_VOLUME).put("readOnly", true)
                        .put("mountPath", POD_IDENTITY_DIR)), patch);
            }
            return true;
        });
        if (!mounted) {
            return Mutation.none("nothing-to-do");
        }
        boolean hasVolume = false;
        for (JsonNode v : spec.path("volumes")) {
            hasVolume |= POD_IDENTITY_VOLUME.equals(v.path("name").asText());
        }
        if (!hasVolume) {
            ObjectNode token = JSON.objectNode().put("audience", POD_IDENTITY_AUDIENCE).put("expirationSeconds", 86400).put("path", POD_IDENTITY_VOLUME);
            ObjectNode projected = JSON.objectNode().put("defaultMode", 420);
            projected.set("sources", JSON.arrayNode().add(JSON.objectNode().set("serviceAccountToken", token)));
            ObjectNode volume = JSON.objectNode().put("name", POD_IDENTITY_VOLUME).set("projected", projected);
            patch.add(spec.has("volumes") && spec.get("volumes").isArray() ? op("/spec/volumes/-", volume) : op("/spec/volumes", JSON.arrayNode().add(volume)));
        }
        return new Mutation("mutated-pod-identity", patch, List.of());
    }

    /** Applies {@code mutate} (container, its JSON Pointer) to every container and init container not skipped; whether any says it mounts a token. */
    private static boolean forEachContainer(JsonNode spec, Set<String> skipped, BiPredicate<JsonNode, String> mutate) {
        boolean mounted = false;
        for (String kind : List.of("initContainers", "containers")) {
            JsonNode containers = spec.path(kind);
            for (int i = 0; i < containers.size(); i++) {
                JsonNode c = containers.get(i);
                if (!skipped.contains(c.path("name").asText())) {
                    mounted |= mutate.test(c, "/spec/" + kind + "/" + i);
                }
            }
        }
        return mounted;
    }

    /** Adds what the container lacks; returns whether it now mounts the token. */
    private boolean mutateContainer(JsonNode c, String path, String namespace, ServiceAccountSettings sa, String tokenFile,
                                    boolean regionalSts, List<ObjectNode> patch) {
        Set<String> set = new HashSet<>();
        c.path("env").forEach(e -> set.add(e.path("name").asText()));
        boolean envFromUnknown = false;
        for (JsonNode from : c.path("envFrom")) {
            String prefix = from.path("prefix").asText("");
            JsonNode cm = from.path("configMapRef");
            Optional<Set<String>> keys = cm.isMissingNode() ? Optional.empty()
                    : serviceAccounts.configMapKeys(namespace, cm.path("name").asText());
            if (keys.isPresent()) {
                keys.get().forEach(k -> set.add(prefix + k));
            } else {
                envFromUnknown = true;
            }
        }
        // Variables the container may already get from an envFrom we cannot read: an env entry would
        // override them, so the optional ones are left out; the identity pair is what IRSA needs.
        Map<String, String> add = new LinkedHashMap<>();
        if (regionalSts && !envFromUnknown && !set.contains("AWS_STS_REGIONAL_ENDPOINTS")) {
            add.put("AWS_STS_REGIONAL_ENDPOINTS", "regional");
        }
        if (settings.region() != null && !envFromUnknown && !set.contains("AWS_REGION") && !set.contains("AWS_DEFAULT_REGION")) {
            add.put("AWS_DEFAULT_REGION", settings.region());
            add.put("AWS_REGION", settings.region());
        }
        boolean identity = !set.contains("AWS_ROLE_ARN") && !set.contains("AWS_WEB_IDENTITY_TOKEN_FILE");
        if (identity) {
            add.put("AWS_ROLE_ARN", sa.roleArn());
            add.put("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile);
        }
        if (settings.stsEndpoint() != null && !envFromUnknown && !set.contains("AWS_ENDPOINT_URL_STS")) {
            add.put("AWS_ENDPOINT_URL_STS", settings.stsEndpoint());
        }
        appendAll(c, path, "env", add.entrySet().stream()
                .map(e -> (JsonNode) JSON.objectNode().put("name", e.getKey()).put("value", e.getValue())).toList(), patch);

        boolean usesToken = identity || tokenFile.equals(envValue(c, "AWS_WEB_IDENTITY_TOKEN_FILE"));
        boolean hasMount = false;
        for (JsonNode m : c.path("volumeMounts")) {
            hasMount |= WebhookSettings.VOLUME.equals(m.path("name").asText());
        }
        if (usesToken && !hasMount) {
            appendAll(c, path, "volumeMounts", List.of(JSON.objectNode().put("name", WebhookSettings.VOLUME).put("readOnly", true)
                    .put("mountPath", settings.mountPath())), patch);
        }
        return usesToken || hasMount;
    }

    /** One add per entry to an existing array, or one add creating it. */
    private static void appendAll(JsonNode container, String path, String field, List<JsonNode> entries, List<ObjectNode> patch) {
        if (entries.isEmpty()) {
            return;
        }
        if (container.has(field) && container.get(field).isArray()) {
            entries.forEach(e -> patch.add(op(path + "/" + field + "/-", e)));
        } else {
            ArrayNode array = JSON.arrayNode();
            entries.forEach(array::add);
            patch.add(op(path + "/" + field, array));
        }
    }

    private static String envValue(JsonNode c, String name) {
        for (JsonNode e : c.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return e.path("value").asText(null);
            }
        }
        return null;
    }

    private long expiration(JsonNode metadata, ServiceAccountSettings sa) {
        String fromPod = metadata.path("annotations").path(settings.annotation("token-expiration")).asText(null);
        if (fromPod != null) {
            try {
                return settings.clampExpiration(Long.parseLong(fromPod.trim()));
            } catch (NumberFormatException e) {
                // ignored, as the anchor ignores it: the ServiceAccount's or the default applies
            }
        }
        return settings.clampExpiration(sa.tokenExpiration() != null ? sa.tokenExpiration() : settings.defaultExpiration());
    }

    private Set<String> skippedContainers(JsonNode metadata) {
        String skip = metadata.path("annotations").path(settings.annotation("skip-containers")).asText("");
        Set<String> names = new HashSet<>();
        for (String n : skip.split(",")) {
            if (!n.isBlank()) {
                names.add(n.trim());
            }
        }
        return names;
    }

    private static boolean isWindows(JsonNode spec) {
        JsonNode selector = spec.path("nodeSelector");
        return "windows".equals(selector.path("kubernetes.io/os").asText()) || "windows".equals(selector.path("beta.kubernetes.io/os").asText());
    }

    private static ObjectNode volume(String audience, long expiration) {
        ObjectNode token = JSON.objectNode().put("audience", audience).put("expirationSeconds", expiration).put("path", WebhookSettings.TOKEN_PATH);
        ObjectNode source = JSON.objectNode().set("serviceAccountToken", token);
        ObjectNode projected = JSON.objectNode().set("sources", JSON.arrayNode().add(source));
        return JSON.objectNode().put("name", WebhookSettings.VOLUME).set("projected", projected);
    }

    private static ObjectNode op(String path, JsonNode value) {
        ObjectNode op = JSON.objectNode().put("op", "add").put("path", path);
        op.set("value", value);
        return op;
    }
}
