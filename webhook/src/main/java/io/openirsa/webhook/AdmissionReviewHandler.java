package io.openirsa.webhook;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.core.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

import java.util.Base64;

/**
 * Answers an AdmissionReview ({@code admission.k8s.io/v1}) for a pod: the same apiVersion, kind and
 * uid, allowed, and a JSONPatch when the pod gets IRSA. Admission never fails a pod: any internal
 * error answers allowed with no patch (and is logged and counted).
 */
public final class AdmissionReviewHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AdmissionReviewHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PodMutator mutator;
    private final Counter admissions;

    public AdmissionReviewHandler(PodMutator mutator, Counter admissions) {
        this.mutator = mutator;
        this.admissions = admissions;
    }

    /** The review could not be read at all: there is no uid to answer. */
    public static final class UnreadableReview extends Exception {
        UnreadableReview(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Heap a JSON token's node may take in a tree. The largest measured is a one-letter string's, 68
     * bytes; an empty object's is 46, a member's 62-65 with its name (docs/benchmarks.md, nineteenth
     * session).
     */
    static final int TREE_BYTES_PER_TOKEN = 80;

    /**
     * An upper bound on the heap of this body's tree, as {@link #handle} builds it:
     * {@link #TREE_BYTES_PER_TOKEN} a token, and the body's length for the text of its strings. A tree
     * can be 30 times its body (a 3 MiB array of empty objects would take 90 MiB), so it is counted
     * before it is built, by a streaming pass that keeps nothing. A body that is not JSON is counted
     * up to where it breaks ({@link #handle} then refuses it).
     */
    public static long heapFor(byte[] body) {
        long tokens = 0;
        try (JsonParser parser = JSON.getFactory().createParser(body)) {
            while (parser.nextToken() != null) {
                tokens++;
            }
        } catch (IOException notJson) {
            // counted up to here
        }
        return body.length + tokens * TREE_BYTES_PER_TOKEN;
    }

    /** What a review names, as logged: at most a Kubernetes name's 253 characters (a review's can be megabytes). */
    static String logged(String value) {
        return value.length() <= 253 ? value : value.substring(0, 253) + "...";
    }

    public byte[] handle(byte[] body) throws UnreadableReview {
        JsonNode review;
        try {
            review = JSON.readTree(body);
        } catch (IOException e) {
            throw new UnreadableReview("the body is not JSON");
        }
        JsonNode request = review == null ? null : review.get("request");
        if (request == null || !request.hasNonNull("uid")) {
            throw new UnreadableReview("not an AdmissionReview with a request and uid");
        }
        ObjectNode response = JSON.createObjectNode().put("uid", request.get("uid").asText()).put("allowed", true);
        String result;
        try {
            JsonNode pod = request.path("object");
            boolean pods = "Pod".equals(request.path("kind").path("kind").asText("Pod")) && pod.isObject();
            PodMutator.Mutation m = pods ? mutator.mutate(pod, request.path("namespace").asText(pod.path("metadata").path("namespace").asText("default")))
                    : PodMutator.Mutation.none("not-a-pod");
            if (!m.patch().isEmpty()) {
                ArrayNode patch = JSON.createArrayNode();
                m.patch().forEach(patch::add);
                response.put("patchType", "JSONPatch");
                response.put("patch", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(patch)));
            }
            if (!m.warnings().isEmpty()) {
                ArrayNode warnings = response.putArray("warnings");
                m.warnings().forEach(warnings::add);
                String name = logged(pod.path("metadata").path("name").asText(pod.path("metadata").path("generateName").asText("?")));
                m.warnings().forEach(w -> LOG.warn("pod {}/{}: {}", logged(request.path("namespace").asText()), name, w));
            }
            result = m.outcome();
        } catch (RuntimeException | IOException e) {
            LOG.error("admission of request {} failed; the pod is admitted unchanged", logged(request.get("uid").asText()), e);
            response.remove("patch");
            response.remove("patchType");
            result = "error";
        }
        admissions.labelValues(result).inc();
        ObjectNode out = JSON.createObjectNode();
        out.put("apiVersion", review.path("apiVersion").asText("admission.k8s.io/v1"));
        out.put("kind", review.path("kind").asText("AdmissionReview"));
        out.set("response", response);
        try {
            return JSON.writeValueAsBytes(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

}
