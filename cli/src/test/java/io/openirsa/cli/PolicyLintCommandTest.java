package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code irsa policy lint}: text for people, JSON for tools, exit status by severity. */
class PolicyLintCommandTest {
    static final String REGEX = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":"
            + "\"arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/X\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\","
            + "\"Condition\":{\"StringLike\":{\"oidc.example.com/id/X:sub\":\"system:serviceaccount:(production|monitoring):*\","
            + "\"oidc.example.com/id/X:aud\":\"sts.amazonaws.com\"}}}]}";
    static final String NO_AUD = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":"
            + "\"arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/X\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\","
            + "\"Condition\":{\"StringEquals\":{\"oidc.example.com/id/X:sub\":\"system:serviceaccount:default:app\"}}}]}";

    record Run(int exit, String out) {
    }

    static Run run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.allCommands().execute(args);
            return new Run(exit, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void errors_exitOne_withFindingAndFix(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("trust.json"), REGEX);
        Run r = run("policy", "lint", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("ERROR REGEX_IN_STRING_LIKE at Statement[0].Condition.StringLike.oidc.example.com/id/X:sub")
                .contains("fix: list each value instead");
    }

    @Test
    void warningsOnly_exitZero(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("trust.json"), NO_AUD);
        Run r = run("policy", "lint", f.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("WARNING OIDC_AUD_MISSING");
    }

    @Test
    void json_listsFindingsPerFile(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.json"), REGEX);
        Path b = Files.writeString(dir.resolve("b.json"), NO_AUD);
        Run r = run("policy", "lint", "--format", "json", a.toString(), b.toString());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.path(a.toString()).get(0).path("code").asText()).isEqualTo("REGEX_IN_STRING_LIKE");
        assertThat(json.path(a.toString()).get(0).path("severity").asText()).isEqualTo("ERROR");
        assertThat(json.path(b.toString()).get(0).path("code").asText()).isEqualTo("OIDC_AUD_MISSING");
        assertThat(r.exit()).isEqualTo(1);
    }

    @Test
    void unreadableFile_exitTwo(@TempDir Path dir) {
        assertThat(run("policy", "lint", dir.resolve("missing.json").toString()).exit()).isEqualTo(2);
    }
}
