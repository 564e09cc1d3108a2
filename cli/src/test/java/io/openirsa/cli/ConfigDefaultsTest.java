package io.openirsa.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where each setting of serve comes from: flag, then OPENIRSA_* environment, then the YAML file, then the default. */
class ConfigDefaultsTest {
    @TempDir
    Path dir;

    private Object serveOption(String name, Map<String, String> env, String... args) {
        CommandLine main = ConfigDefaults.install(Main.allCommands(), args, env);
        main.parseArgs(args);
        return main.getSubcommands().get("serve").getCommandSpec().findOption(name).getValue();
    }

    private Path config(String yaml) throws IOException {
        Path file = dir.resolve("openirsa.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void builtInDefaultWhenNothingElseIsGiven() {
        assertThat(serveOption("--region", Map.of(), "serve")).isEqualTo("us-east-1");
        assertThat(serveOption("--audit-retention-days", Map.of(), "serve")).isEqualTo(90L);
    }

    @Test
    void fileOverDefaultEnvironmentOverFileFlagOverEnvironment() throws IOException {
        Path file = config("region: eu-west-1\naudit-retention-days: 30\nkey-rotation-hours: 12\n");
        String[] fromFile = {"serve", "--config", file.toString()};
        assertThat(serveOption("--region", Map.of(), fromFile)).isEqualTo("eu-west-1");
        assertThat(serveOption("--audit-retention-days", Map.of(), fromFile)).isEqualTo(30L);

        Map<String, String> env = Map.of("OPENIRSA_REGION", "ap-south-1", "OPENIRSA_AUDIT_RETENTION_DAYS", "7");
        assertThat(serveOption("--region", env, fromFile)).isEqualTo("ap-south-1");
        assertThat(serveOption("--audit-retention-days", env, fromFile)).isEqualTo(7L);
        assertThat(serveOption("--key-rotation-hours", env, fromFile)).isEqualTo(12L);

        assertThat(serveOption("--region", env, "serve", "--config", file.toString(), "--region", "sa-east-1")).isEqualTo("sa-east-1");
    }

    @Test
    void configFileNamedByTheEnvironment() throws IOException {
        Path file = config("account-id: '210987654321'\n");
        assertThat(serveOption("--account-id", Map.of("OPENIRSA_CONFIG", file.toString()), "serve")).isEqualTo("210987654321");
    }

    @Test
    void otherCommandsIgnoreTheEnvironment() {
        CommandLine main = ConfigDefaults.install(Main.allCommands(), new String[] {"policy", "lint", "x.json"},
                Map.of("OPENIRSA_FORMAT", "json"));
        main.parseArgs("policy", "lint", "x.json");
        CommandLine lint = main.getSubcommands().get("policy").getSubcommands().get("lint");
        assertThat(lint.getCommandSpec().findOption("--format").getValue().toString()).isNotEqualTo("json");
    }

    @Test
    void keyEncryptionKeyInsideTheDataFolderIsRefused() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path kek = Files.writeString(data.resolve("kek"), "x");
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(said, true));
        try {
            assertThat(Main.allCommands().execute("serve", "--data", data.toString(), "--key-encryption-key-file", kek.toString())).isEqualTo(2);
        } finally {
            System.setErr(err);
        }
        assertThat(said.toString()).contains("outside the data folder");
    }

    @Test
    void unreadableOrMalformedFileIsAUsageError() throws IOException {
        assertThatThrownBy(() -> ConfigDefaults.install(Main.allCommands(), new String[] {"serve", "--config", dir.resolve("none.yaml").toString()}, Map.of()))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("none.yaml");
        Path list = config("- region\n- eu-west-1\n");
        assertThatThrownBy(() -> ConfigDefaults.install(Main.allCommands(), new String[] {"serve", "--config", list.toString()}, Map.of()))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("expected a map of settings");
    }
}
