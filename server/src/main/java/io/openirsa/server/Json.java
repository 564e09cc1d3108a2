package io.openirsa.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON in and out for the REST-JSON and Kubernetes endpoints. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * JSON tokens a request body may hold: no API's request needs a thousand (50 tags are about 150). A
     * 1 MB body of small members is some 100,000 tokens, a tree of 10-20 MB: 30 such calls at once,
     * from any signed-in tenant, ran a 96 MiB server out of memory before the call was even authorized.
     */
    static final int MAX_TOKENS = 10_000;
    private static final ObjectMapper REQUESTS = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxTokenCount(MAX_TOKENS).build()).build());

    private Json() {
    }

    /**
     * A JSON object with its members in the order given, as AWS writes them: names and values by
     * turns. ({@code Map.of}'s order is random for each JVM.)
     */
    public static Map<String, Object> object(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values by turns: " + namesAndValues.length + " arguments");
        }
        Map<String, Object> members = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            members.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return members;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body as a JSON object; an empty body is an empty object. */
    public static JsonNode readObject(byte[] body, AwsError errorCode) {
        if (body.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode node = REQUESTS.readTree(new String(body, StandardCharsets.UTF_8));
            if (node == null || !node.isObject()) {
                throw new AwsException(errorCode, "The request body must be a JSON object");
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw new AwsException(errorCode, "The request body holds more than " + MAX_TOKENS + " JSON tokens");
        } catch (JsonProcessingException e) {
            throw new AwsException(errorCode, "The request body is not valid JSON");
        }
    }

    /** A text field, or null; anything but text is refused. */
    public static String text(JsonNode node, String field, AwsError errorCode) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new AwsException(errorCode, field + " must be a string");
        }
        return v.asText();
    }
}
