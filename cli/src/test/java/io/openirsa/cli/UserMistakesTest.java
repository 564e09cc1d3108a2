package io.openirsa.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A person's mistakes on the command line: one line naming the mistake, exit code 2, never a stack trace or the whole usage. */
class UserMistakesTest {
    record Run(int exit, String err) {
        String onlyLine() {
            assertThat(err.strip().lines()).as(err).hasSize(1);
            assertThat(err).doesNotContain("Exception", "\tat ", "Usage:");
            return err.strip();
        }
    }

    static Run irsa(String... args) {
        picocli.CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, err.toString());
    }

    @Test
    void aMisspeltFlag_isNamed() {
        Run r = irsa("token", "--clustr", "x", "--namespace", "n", "--service-account", "s");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.onlyLine()).startsWith("irsa token: ").contains("'--clustr'").contains("irsa token --help");
    }

    @Test
    void aMisspeltCommand_getsSuggestions() {
        Run r = irsa("tokn");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.onlyLine()).contains("'tokn'").contains("did you mean token");
    }

    @Test
    void aMissingOption_andABadValue_areOneLineEach() {
        assertThat(irsa("token").onlyLine()).contains("--cluster");
        Run bad = irsa("serve", "--listen", "nope");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.onlyLine()).contains("--listen must be HOST:PORT");
    }

    @Test
    void aCommandForARunningServer_withoutItsEnvironment_saysWhatToSet() {
        ClusterCommand.Create create = new ClusterCommand.Create();
        create.env = java.util.Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:1"); // no keys
        picocli.CommandLine cli = Main.commandLine(create);
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        Run r = new Run(cli.execute("--name", "c", "--issuer", "https://issuer.example.com"), err.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.onlyLine()).endsWith(": " + RemoteServer.NOT_SET);

        AccountCommand.Create account = new AccountCommand.Create();
        account.env = java.util.Map.of("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret"); // no endpoint
        cli = Main.commandLine(account);
        err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        r = new Run(cli.execute("210987654321"), err.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.onlyLine()).endsWith("create: " + RemoteServer.NOT_SET);
    }

    @Test
    void aFileThatIsNotJson_isJacksonsMessage_withLineAndColumn() throws Exception {
        Path bad = Files.writeString(Files.createTempFile("policy", ".json"), "{\"Version\": \"2012-10-17\", \"Statement\": [\n");
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true));
        int exit;
        try {
            exit = Main.commandLine().execute("policy", "lint", bad.toString());
        } finally {
            System.setErr(original);
        }
        assertThat(exit).isEqualTo(2);
        Run r = new Run(exit, err.toString());
        assertThat(r.onlyLine()).startsWith(bad + ": not JSON: Unexpected end-of-input").contains("(line 2, column 1)").doesNotContain("REDACTED");
    }
}
