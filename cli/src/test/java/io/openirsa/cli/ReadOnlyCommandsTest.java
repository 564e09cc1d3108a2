package io.openirsa.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands that read a server's data folder (`audit`, `explain`, `env`, `keys list`), pointed at a
 * folder where no server has run: one line naming the problem, exit code 2, and no folder or
 * database made on the way (audit and explain made both; env and keys printed a stack trace).
 */
class ReadOnlyCommandsTest {

    @Test
    void aFolderWithoutAServer_isSaidInOneLine_andLeftUncreated() throws Exception {
        Path parent = Files.createTempDirectory("openirsa-readonly");
        Path data = parent.resolve("never-served");
        for (List<String> command : List.of(List.of("audit"), List.of("explain", "0192-request"), List.of("env"),
                List.of("keys", "list", "--cluster", "demo"))) {
            StringWriter err = new StringWriter();
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of("--data", data.toString()));
            int code = cli.execute(args.toArray(String[]::new));
            assertThat(code).as(String.join(" ", command)).isEqualTo(2);
            assertThat(err.toString().strip()).as(String.join(" ", command)).contains("no server has run with data folder " + data)
                    .doesNotContain("\tat ").doesNotContain("Exception").hasLineCount(1);
            assertThat(data).as(String.join(" ", command) + " made the folder").doesNotExist();
        }
    }
}
