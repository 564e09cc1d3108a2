package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * One set of names for every setting of {@code serve}: the flag {@code --key-rotation-hours}, the
 * environment variable {@code OPENIRSA_KEY_ROTATION_HOURS}, and the key {@code key-rotation-hours} of
 * the YAML file given with {@code --config FILE} (or {@code OPENIRSA_CONFIG}). A flag wins over the
 * environment, which wins over the file, which wins over the built-in default.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    private final JsonNode file;
    private final Map<String, String> env;

    private ConfigDefaults(JsonNode file, Map<String, String> env) {
        this.file = file;
        this.env = env;
    }

    /** Reads the file named by --config in the arguments, or by OPENIRSA_CONFIG in the environment. */
    static ConfigDefaults from(String[] args, Map<String, String> env) {
        String path = env.get("OPENIRSA_CONFIG");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                path = args[i + 1];
            } else if (args[i].startsWith("--config=")) {
                path = args[i].substring("--config=".length());
            }
        }
        if (path == null || path.isBlank()) {
            return new ConfigDefaults(null, env);
        }
        try {
            JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Path.of(path)));
            if (tree != null && !tree.isMissingNode() && !tree.isObject()) {
                throw new IOException("expected a map of settings");
            }
            return new ConfigDefaults(tree, env);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(new CommandLine(new Main()), "cannot read the configuration file " + path + ": " + e.getMessage());
        }
    }

    /** Applies to {@code serve} only: other commands' flags are per invocation, not deployment settings. */
    static CommandLine install(CommandLine main, String[] args, Map<String, String> env) {
        CommandLine serve = main.getSubcommands().get("serve");
        if (serve != null) {
            serve.setDefaultValueProvider(from(args, env));
        }
        return main;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || !option.longestName().startsWith("--")) {
            return null;
        }
        String name = option.longestName().substring(2);
        if (name.equals("config") || name.equals("help") || name.equals("version")) {
            return null;
        }
        String fromEnv = env.get("OPENIRSA_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        if (file != null && file.hasNonNull(name)) {
            return file.get(name).asText();
        }
        return arg.defaultValue();
    }
}
