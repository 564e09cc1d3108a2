package io.openirsa.core.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * AWS managed policies that can be attached as on AWS, by ARN. The catalogue is data:
 * {@code aws-managed-policies.json} beside this class (name, path, document).
 */
public final class ManagedPolicies {
    public static final String PREFIX = "arn:aws:iam::aws:policy/";
    private static final Map<String, String> DOCUMENTS = new TreeMap<>();
    private static final Map<String, String> PATHS = new TreeMap<>();

    static {
        ObjectMapper json = new ObjectMapper();
        try (InputStream in = ManagedPolicies.class.getResourceAsStream("aws-managed-policies.json")) {
            JsonNode policies = json.readTree(in).path("policies");
            for (Iterator<Map.Entry<String, JsonNode>> it = policies.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                DOCUMENTS.put(e.getKey(), json.writeValueAsString(e.getValue().get("document")));
                PATHS.put(e.getKey(), e.getValue().path("path").asText(""));
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the AWS managed policy catalogue does not load", e);
        }
    }

    private ManagedPolicies() {
    }

    /** The document of an AWS managed policy ARN, or empty if it is not one we know (the path must be right). */
    public static Optional<String> document(String arn) {
        if (arn == null || !arn.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String name = name(arn);
        String path = arn.substring(PREFIX.length(), arn.length() - name.length());
        return path.equals(PATHS.get(name)) ? Optional.ofNullable(DOCUMENTS.get(name)) : Optional.empty();
    }

    /** The ARNs of every AWS managed policy in the catalogue. */
    public static List<String> arns() {
        return DOCUMENTS.keySet().stream().map(n -> PREFIX + PATHS.get(n) + n).toList();
    }

    /** The policy name: the last path segment of the ARN. */
    public static String name(String arn) {
        return arn.substring(arn.lastIndexOf('/') + 1);
    }
}
