package io.openirsa.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openirsa.core.KubernetesNames;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;
import java.util.random.RandomGenerator;

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

    /** The label the anchor puts on a pod it gives Pod Identity. */
    static final String POD_IDENTITY_LABEL = "eks.amazonaws.com/pod-identity";
    /**
     * A Pod Identity token whose lifetime is the default day gets one between 22 and 24 hours instead, as
     * the anchor does, so that the pods of one rollout do not all refresh their tokens at once.
     */
    static final long JITTERED_LIFETIME = 86_400;
    static final long JITTER_FLOOR = 79_200;

    private final WebhookSettings settings;
    private final ServiceAccounts serviceAccounts;
    private final PodIdentityAssociations podIdentity;
    private final String podIdentityAgent;
    private final RandomGenerator jitter;

    public PodMutator(WebhookSettings settings, ServiceAccounts serviceAccounts) {
        this(settings, serviceAccounts, PodIdentityAssociations.NONE, POD_IDENTITY_AGENT);
    }

    /** @param podIdentityAgent the URL pods reach the node's Pod Identity agent at */
    public PodMutator(WebhookSettings settings, ServiceAccounts serviceAccounts, PodIdentityAssociations podIdentity, String podIdentityAgent) {
        this(settings, serviceAccounts, podIdentity, podIdentityAgent, new SplittableRandom());
    }

    PodMutator(WebhookSettings settings, ServiceAccounts serviceAccounts, PodIdentityAssociations podIdentity, String podIdentityAgent,
               RandomGenerator jitter) {
        this.settings = settings;
        this.serviceAccounts = serviceAccounts;
        this.podIdentity = podIdentity;
        this.podIdentityAgent = podIdentityAgent;
        this.jitter = jitter;
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
        // Anything that reaches the webhook can send a review, with names of megabytes or with line breaks:
        // no such ServiceAccount can exist, so there is nothing to look up or log.
        if (!KubernetesNames.isNamespace(namespace) || !KubernetesNames.isObjectName(serviceAccount)) {
            return Mutation.none("no-service-account");
        }
        if (podIdentity.associated(namespace, serviceAccount)) { // preferred over a role-arn annotation, as on EKS
            return podIdentity(pod, namespace, serviceAccounts.find(namespace, serviceAccount).orElse(null));
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
        ConfigMapKeys configMaps = new ConfigMapKeys(namespace);
        boolean mounted = forEachContainer(spec, skipped, (c, path) -> mutateContainer(c, path, configMaps, sa, tokenFile, regionalSts, patch));
        if (mounted && existingVolume == null) {
            addVolume(spec, volume(WebhookSettings.VOLUME, sa.audience() != null ? sa.audience() : settings.defaultAudience(),
                    expiration(metadata, sa), WebhookSettings.TOKEN_PATH), patch);
        }
        if (patch.isEmpty()) {
            return Mutation.none("nothing-to-do");
        }
        if (mounted && settings.fsGroup() != null && !spec.path("securityContext").has("fsGroup")) {
            if (spec.has("securityContext")) {
                patch.add(op("/spec/securityContext/fsGroup", JSON.numberNode(settings.fsGroup())));
            } else {
                patch.add(op("/spec/securityContext", JSON.objectNode().put("fsGroup", settings.fsGroup())));
            }
        }
        return new Mutation("mutated", patch, List.of());
    }

    /**
     * Pod Identity: the agent's URL and the token file in each container, the region variables as for
     * IRSA, the token's projected volume, and the anchor's label on the pod.
     */
    private Mutation podIdentity(JsonNode pod, String namespace, ServiceAccountSettings sa) {
        JsonNode spec = pod.path("spec");
        JsonNode metadata = pod.path("metadata");
        String tokenFile = POD_IDENTITY_DIR + "/" + POD_IDENTITY_VOLUME;
        boolean regionalSts = sa != null && sa.regionalSts() != null ? sa.regionalSts() : settings.regionalSts();
        List<ObjectNode> patch = new ArrayList<>();
        ConfigMapKeys configMaps = new ConfigMapKeys(namespace);
        boolean mounted = forEachContainer(spec, skippedContainers(metadata), (c, path) -> {
            EnvNames env = envNames(c, configMaps);
            Map<String, String> add = regionVariables(env, regionalSts);
            boolean credentials = !env.names().contains("AWS_CONTAINER_CREDENTIALS_FULL_URI")
                    && !env.names().contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
            if (credentials) {
                add.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", podIdentityAgent);
                add.put("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokenFile);
            }
            addEnv(c, path, add, patch);
            return mount(c, path, credentials || tokenFile.equals(envValue(c, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")),
                    POD_IDENTITY_VOLUME, POD_IDENTITY_DIR, patch);
        });
        if (mounted) {
            boolean hasVolume = false;
            for (JsonNode v : spec.path("volumes")) {
                hasVolume |= POD_IDENTITY_VOLUME.equals(v.path("name").asText());
            }
            if (!hasVolume) {
                long lifetime = expiration(metadata, sa);
                if (lifetime == JITTERED_LIFETIME) {
                    lifetime = settings.clampExpiration(jitter.nextLong(JITTER_FLOOR, JITTERED_LIFETIME + 1));
                }
                addVolume(spec, volume(POD_IDENTITY_VOLUME, POD_IDENTITY_AUDIENCE, lifetime, POD_IDENTITY_VOLUME), patch);
            }
            if (!"enabled".equals(metadata.path("labels").path(POD_IDENTITY_LABEL).asText(null))) {
                patch.addFirst(metadata.path("labels").isObject()
                        ? op("/metadata/labels/" + POD_IDENTITY_LABEL.replace("~", "~0").replace("/", "~1"), JSON.textNode("enabled"))
                        : op("/metadata/labels", JSON.objectNode().put(POD_IDENTITY_LABEL, "enabled")));
            }
        }
        if (patch.isEmpty()) {
            return Mutation.none("nothing-to-do");
        }
        return new Mutation(mounted ? "mutated-pod-identity" : "mutated", patch, List.of());
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
    private boolean mutateContainer(JsonNode c, String path, ConfigMapKeys configMaps, ServiceAccountSettings sa, String tokenFile,
                                    boolean regionalSts, List<ObjectNode> patch) {
        EnvNames env = envNames(c, configMaps);
        Map<String, String> add = regionVariables(env, regionalSts);
        boolean identity = !env.names().contains("AWS_ROLE_ARN") && !env.names().contains("AWS_WEB_IDENTITY_TOKEN_FILE");
        if (identity) {
            add.put("AWS_ROLE_ARN", sa.roleArn());
            add.put("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile);
        }
        if (settings.stsEndpoint() != null && !env.fromUnknown() && !env.names().contains("AWS_ENDPOINT_URL_STS")) {
            add.put("AWS_ENDPOINT_URL_STS", settings.stsEndpoint());
        }
        addEnv(c, path, add, patch);
        return mount(c, path, identity || tokenFile.equals(envValue(c, "AWS_WEB_IDENTITY_TOKEN_FILE")), WebhookSettings.VOLUME,
                settings.mountPath(), patch);
    }

    /** The variables a container has: its env, and what its envFrom ConfigMaps hold; whether an envFrom could not be read. */
    private record EnvNames(Set<String> names, boolean fromUnknown) {
    }

    private static EnvNames envNames(JsonNode c, ConfigMapKeys configMaps) {
        Set<String> set = new HashSet<>();
        c.path("env").forEach(e -> set.add(e.path("name").asText()));
        boolean fromUnknown = false;
        for (JsonNode from : c.path("envFrom")) {
            String prefix = from.path("prefix").asText("");
            JsonNode cm = from.path("configMapRef");
            Optional<Set<String>> keys = cm.isMissingNode() ? Optional.empty() : configMaps.of(cm.path("name").asText());
            if (keys.isPresent()) {
                keys.get().forEach(k -> set.add(prefix + k));
            } else {
                fromUnknown = true;
            }
        }
        return new EnvNames(set, fromUnknown);
    }

    /** ConfigMaps fetched for one pod at most; the rest count as unreadable. */
    static final int MAX_CONFIG_MAPS = 16;

    /**
     * The keys of the ConfigMaps one pod's envFrom names, each fetched once (containers often share
     * one). Each fetch is a call to the API server, and a review from anything that reaches the
     * webhook can name thousands, so past {@link #MAX_CONFIG_MAPS} a ConfigMap counts as unreadable:
     * that only leaves out the region variables an envFrom might set.
     */
    private final class ConfigMapKeys {
        private final String namespace;
        private final Map<String, Optional<Set<String>>> fetched = new HashMap<>();

        ConfigMapKeys(String namespace) {
            this.namespace = namespace;
        }

        Optional<Set<String>> of(String name) {
            if (!KubernetesNames.isObjectName(name)) {
                return Optional.empty();
            }
            Optional<Set<String>> keys = fetched.get(name);
            if (keys == null) {
                if (fetched.size() >= MAX_CONFIG_MAPS) {
                    return Optional.empty();
                }
                keys = serviceAccounts.configMapKeys(namespace, name);
                fetched.put(name, keys);
            }
            return keys;
        }
    }

    /**
     * The STS-regional and region variables the container lacks. Variables it may already get from an
     * envFrom we cannot read are left out: an env entry would override them.
     */
    private Map<String, String> regionVariables(EnvNames env, boolean regionalSts) {
        Map<String, String> add = new LinkedHashMap<>();
        if (regionalSts && !env.fromUnknown() && !env.names().contains("AWS_STS_REGIONAL_ENDPOINTS")) {
            add.put("AWS_STS_REGIONAL_ENDPOINTS", "regional");
        }
        if (settings.region() != null && !env.fromUnknown() && !env.names().contains("AWS_REGION") && !env.names().contains("AWS_DEFAULT_REGION")) {
            add.put("AWS_DEFAULT_REGION", settings.region());
            add.put("AWS_REGION", settings.region());
        }
        return add;
    }

    private static void addEnv(JsonNode c, String path, Map<String, String> add, List<ObjectNode> patch) {
        appendAll(c, path, "env", add.entrySet().stream()
                .map(e -> (JsonNode) JSON.objectNode().put("name", e.getKey()).put("value", e.getValue())).toList(), patch);
    }

    /**
     * Mounts the token volume if the container uses the token and has no such mount. A container that
     * keeps its own identity gets no mount (the anchor mounts it anyway: README). Returns whether the
     * container now mounts the volume.
     */
    private static boolean mount(JsonNode c, String path, boolean usesToken, String volume, String mountPath, List<ObjectNode> patch) {
        boolean hasMount = false;
        for (JsonNode m : c.path("volumeMounts")) {
            hasMount |= volume.equals(m.path("name").asText());
        }
        if (usesToken && !hasMount) {
            appendAll(c, path, "volumeMounts", List.of(JSON.objectNode().put("name", volume).put("readOnly", true).put("mountPath", mountPath)), patch);
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

    /** The pod's annotation, else the ServiceAccount's ({@code sa} may be null), else the default; within the bounds. */
    private long expiration(JsonNode metadata, ServiceAccountSettings sa) {
        String fromPod = metadata.path("annotations").path(settings.annotation("token-expiration")).asText(null);
        if (fromPod != null) {
            try {
                return settings.clampExpiration(Long.parseLong(fromPod.trim()));
            } catch (NumberFormatException e) {
                // ignored, as the anchor ignores it: the ServiceAccount's or the default applies
            }
        }
        return settings.clampExpiration(sa != null && sa.tokenExpiration() != null ? sa.tokenExpiration() : settings.defaultExpiration());
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

    private static ObjectNode volume(String name, String audience, long expiration, String tokenPath) {
        ObjectNode token = JSON.objectNode().put("audience", audience).put("expirationSeconds", expiration).put("path", tokenPath);
        ObjectNode source = JSON.objectNode().set("serviceAccountToken", token);
        ObjectNode projected = JSON.objectNode().set("sources", JSON.arrayNode().add(source));
        return JSON.objectNode().put("name", name).set("projected", projected);
    }

    private static void addVolume(JsonNode spec, ObjectNode volume, List<ObjectNode> patch) {
        patch.add(spec.path("volumes").isArray() ? op("/spec/volumes/-", volume) : op("/spec/volumes", JSON.arrayNode().add(volume)));
    }

    private static ObjectNode op(String path, JsonNode value) {
        ObjectNode op = JSON.objectNode().put("op", "add").put("path", path);
        op.set("value", value);
        return op;
    }
}
