package io.openirsa.cli;

import io.openirsa.core.OpenIrsa;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/** {@code bin/irsa}: the command line, and the wiring of every module. */
@Command(name = "irsa", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "OpenIRSA: IAM Roles for Service Accounts, self-hosted and AWS-wire-compatible.")
public final class Main implements Runnable {
    /**
     * The subcommands, made only when used: picocli reads every option of every command it is given, a
     * fifth of a second for all of them, so a short command gets only its own (bench/short-commands).
     */
    private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("serve", ServeCommand::new);
        COMMANDS.put("cluster", ClusterCommand::new);
        COMMANDS.put("agent", AgentCommand::new);
        COMMANDS.put("signer", SignerCommand::new);
        COMMANDS.put("issuer", IssuerCommand::new);
        COMMANDS.put("env", EnvCommand::new);
        COMMANDS.put("token", TokenCommand::new);
        COMMANDS.put("policy", PolicyCommand::new);
        COMMANDS.put("keys", KeysCommand::new);
        COMMANDS.put("provider", ProviderCommand::new);
        COMMANDS.put("webhook", WebhookCommand::new);
        COMMANDS.put("doctor", DoctorCommand::new);
        COMMANDS.put("audit", AuditCommand::new);
        COMMANDS.put("explain", ExplainCommand::new);
        COMMANDS.put("account", AccountCommand::new);
    }

    public static void main(String[] args) {
        String first = args.length == 0 ? null : args[0];
        CommandLine commandLine = first != null && COMMANDS.containsKey(first) ? handlingMistakes(withSubcommands(List.of(first)))
                : "--version".equals(first) || "-V".equals(first) ? new CommandLine(new Main()) : commandLine();
        try {
            if (commandLine.getSubcommands().containsKey("serve")) { // the only command with deployment settings
                ConfigDefaults.install(commandLine, args, System.getenv());
            }
        } catch (CommandLine.ParameterException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
        System.exit(commandLine.execute(args));
    }

    /** The command line, with a user's mistakes (no server in the data folder) said in one line with exit code 2. */
    static CommandLine commandLine() {
        return handlingMistakes(allCommands());
    }

    /** {@code irsa} with every subcommand, as picocli would build it from annotations. */
    static CommandLine allCommands() {
        return withSubcommands(COMMANDS.keySet());
    }

    private static CommandLine withSubcommands(Collection<String> names) {
        CommandLine main = new CommandLine(new Main());
        for (String name : names) {
            main.addSubcommand(name, COMMANDS.get(name).get());
        }
        return main;
    }

    /** A command (or a subcommand on its own, in tests) with a user's mistakes handled as {@link #commandLine()} does. */
    static CommandLine commandLine(Object command) {
        return handlingMistakes(new CommandLine(command));
    }

    private static CommandLine handlingMistakes(CommandLine commandLine) {
        // A flag misspelt or missing: one line naming it, and where the right ones are listed, not the whole usage.
        commandLine.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            String name = cmd.getCommandSpec().qualifiedName(" ");
            // picocli reports a missing option before an unknown one, which is usually the same option misspelt.
            List<String> unknown = cmd.getUnmatchedArguments().stream().filter(a -> a.startsWith("-")).toList();
            String message = e instanceof CommandLine.UnmatchedArgumentException || unknown.isEmpty() ? e.getMessage()
                    : "Unknown option" + (unknown.size() > 1 ? "s" : "") + ": '" + String.join("', '", unknown) + "' (" + e.getMessage() + ")";
            String line = (name.startsWith("irsa") ? name : "irsa " + name) + ": " + message;
            if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                line += " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
            }
            cmd.getErr().println(line + "; see " + (name.startsWith("irsa") ? name : "irsa " + name) + " --help");
            return 2;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof UserMistake) {
                String name = cmd.getCommandSpec().qualifiedName(" ");
                cmd.getErr().println((name.startsWith("irsa") ? name : "irsa " + name) + ": " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return commandLine;
    }

    /** {@code irsa --version}: the one version constant. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"OpenIRSA " + OpenIrsa.VERSION};
        }
    }

    /** A {@code --listen HOST:PORT} value. */
    record Listen(String host, int port) {
        /** @throws IllegalArgumentException with the message for the user, when it is not HOST:PORT */
        static Listen parse(String value) {
            int colon = value.lastIndexOf(':');
            try {
                if (colon > 0) {
                    return new Listen(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
                }
            } catch (NumberFormatException e) {
                // the same message as a missing colon
            }
            throw new IllegalArgumentException("--listen must be HOST:PORT");
        }

        /** For {@code --listen}: picocli reports a bad value and exits with 2, as for any bad option. */
        static final class Converter implements picocli.CommandLine.ITypeConverter<Listen> {
            @Override
            public Listen convert(String value) {
                try {
                    return parse(value);
                } catch (IllegalArgumentException e) {
                    throw new picocli.CommandLine.TypeConversionException(e.getMessage());
                }
            }
        }
    }

    /** Blocks until the JVM is asked to stop (SIGTERM, Ctrl-C), then closes the server, which drains. */
    static void serveUntilStopped(AutoCloseable server) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("error while stopping: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }));
        stopped.await();
    }

    @Override
    public void run() {
        allCommands().usage(System.out);
    }
}
