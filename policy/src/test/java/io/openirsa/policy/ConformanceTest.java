package io.openirsa.policy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Runs the conformance files in src/test/resources/conformance. Each file states the AWS rule it
 * encodes and lists cases: a policy (object, or text for malformed JSON), its kind, a request, and
 * the expected outcome (ALLOW, EXPLICIT_DENY, IMPLICIT_DENY or MALFORMED), optionally with text the
 * explanation or IAM's error message must contain.
 */
class ConformanceTest {
    static final Path DIR = Path.of("src/test/resources/conformance");
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    static final Set<String> CASE_FIELDS = Set.of("name", "policy", "kind", "request", "expect", "reason", "message");

    static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void everyFile_namesItsRule_andCaseNamesAreUnique() throws IOException {
        int count = 0;
        Set<String> names = new HashSet<>();
        for (Path f : files()) {
            JsonNode root = JSON.readTree(f.toFile());
            assertThat(root.path("rule").asText()).as(f + " rule").isNotBlank();
            for (JsonNode c : root.path("cases")) {
                assertThat(names.add(f.getFileName() + "/" + c.path("name").asText())).as("duplicate case " + c.path("name")).isTrue();
                for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
                    assertThat(CASE_FIELDS).as("unknown field in " + f).contains(it.next());
                }
                count++;
            }
        }
        assertThat(count).isGreaterThanOrEqualTo(300);
    }

    @TestFactory
    Stream<DynamicNode> conformance() throws IOException {
        List<DynamicNode> containers = new ArrayList<>();
        for (Path f : files()) {
            JsonNode root = JSON.readTree(f.toFile());
            List<DynamicTest> tests = new ArrayList<>();
            for (JsonNode c : root.path("cases")) {
                tests.add(DynamicTest.dynamicTest(c.path("name").asText(), () -> run(c)));
            }
            containers.add(DynamicContainer.dynamicContainer(f.getFileName().toString(), tests));
        }
        return containers.stream();
    }

    static void run(JsonNode c) throws IOException {
        JsonNode policyNode = c.get("policy");
        String document = policyNode.isTextual() ? policyNode.asText() : JSON.writeValueAsString(policyNode);
        PolicyKind kind = PolicyKind.valueOf(c.path("kind").asText("TRUST"));
        String expect = c.path("expect").asText();
        if (expect.equals("MALFORMED")) {
            assertThatThrownBy(() -> Policy.parse(document, kind)).isInstanceOf(MalformedPolicyException.class)
                    .hasMessageContaining(c.path("message").asText(""));
            return;
        }
        Decision d = Policy.parse(document, kind).evaluate(request(c.path("request")));
        assertThat(d.outcome()).as(d.explain()).isEqualTo(Decision.Outcome.valueOf(expect));
        if (c.has("reason")) {
            assertThat(d.explain()).contains(c.get("reason").asText());
        }
    }

    static RequestContext request(JsonNode r) {
        RequestContext.Builder b = RequestContext.builder().action(r.path("action").asText("sts:AssumeRoleWithWebIdentity"));
        if (r.has("resource")) {
            b.resource(r.get("resource").asText());
        }
        JsonNode p = r.path("principal");
        if (!p.isMissingNode()) {
            Set<String> ids = new HashSet<>();
            p.path("ids").forEach(i -> ids.add(i.asText()));
            b.principal(new RequestPrincipal(PrincipalType.valueOf(p.path("type").asText()), ids,
                    p.hasNonNull("account") ? p.get("account").asText() : null));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("context").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isArray()) {
                List<String> values = new ArrayList<>();
                e.getValue().forEach(v -> values.add(v.asText()));
                b.putAll(e.getKey(), values);
            } else {
                b.put(e.getKey(), e.getValue().asText());
            }
        }
        return b.build();
    }
}
