package io.openirsa.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The lint cases in src/test/resources/lint: each document and the exact codes it must produce. */
class LinterTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> lintCases() throws IOException {
        JsonNode root = JSON.readTree(Path.of("src/test/resources/lint/trust-policies.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.path("cases")) {
            tests.add(DynamicTest.dynamicTest(c.path("name").asText(), () -> {
                List<Finding> findings = new Linter().lintTrustPolicy(c.path("document").asText());
                List<String> expected = new ArrayList<>();
                c.path("expect").forEach(e -> expected.add(e.asText()));
                assertThat(findings).extracting(Finding::code).as(findings.toString()).containsExactlyInAnyOrderElementsOf(expected);
                c.path("severity").fields().forEachRemaining(e -> assertThat(findings).filteredOn(f -> f.code().equals(e.getKey()))
                        .extracting(f -> f.severity().name()).containsOnly(e.getValue().asText()));
                for (Finding f : findings) {
                    assertThat(f.message()).isNotBlank();
                    assertThat(f.fix()).isNotBlank();
                    assertThat(f.location()).isNotBlank();
                }
            }));
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(25);
        return tests.stream();
    }

    @Test
    void sizeLimit_isConfigurable() {
        String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"}]}";
        assertThat(new Linter(60).lintTrustPolicy(doc)).extracting(Finding::code).containsExactly("SIZE_OVER_LIMIT");
        assertThat(new Linter(4096).lintTrustPolicy(doc)).isEmpty();
    }

    @Test
    void findings_pointAtTheStatementAndElement() {
        String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Ok\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"},"
                + "{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::111122223333:oidc-provider/example.com\"},"
                + "\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\"example.com:sub\":\"x*\",\"example.com:aud\":\"a\"}}}]}";
        assertThat(new Linter().lintTrustPolicy(doc)).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("WILDCARD_IN_STRING_EQUALS");
            assertThat(f.location()).isEqualTo("Statement[1].Condition.StringEquals.example.com:sub");
            assertThat(f.message()).contains("`x*`");
        });
    }
}
