package io.openirsa.cli;

import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/irsa}: the command line, and the wiring of every module. */
@Command(name = "irsa", mixinStandardHelpOptions = true, version = "OpenIRSA 0.1.0",
        description = "OpenIRSA: IAM Roles for Service Accounts, self-hosted and AWS-wire-compatible.",
        subcommands = {ServeCommand.class, ClusterCommand.class, AgentCommand.class, EnvCommand.class, TokenCommand.class, PolicyCommand.class, KeysCommand.class, ProviderCommand.class, WebhookCommand.class, DoctorCommand.class, AuditCommand.class, ExplainCommand.class, AccountCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        CommandLine commandLine = commandLine();
        try {
            ConfigDefaults.install(commandLine, args, System.getenv());
        } catch (CommandLine.ParameterException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
        System.exit(commandLine.execute(args));
    }

    /** The command line, with a user's mistakes (no server in the data folder) said in one line with exit code 2. */
    static CommandLine commandLine() {
        return commandLine(new Main());
    }

    /** A command (or a subcommand on its own, in tests) with a user's mistakes handled as {@link #commandLine()} does. */
    static CommandLine commandLine(Object command) {
        CommandLine commandLine = new CommandLine(command);
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
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
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
        new CommandLine(this).usage(System.out);
    }
}
