package io.openirsa.cli;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine.Option;

/**
 * {@code --log-format plain|json} of the long-running commands (serve, agent, webhook), and what they
 * do with it before anything else: logging in that one format, and java.util.logging (Helidon's)
 * routed into it. Short commands leave logging alone: it starts only if something logs.
 */
final class LogOptions {
    @Option(names = "--log-format", defaultValue = "${env:OPENIRSA_LOG_FORMAT:-plain}",
            description = "plain (full dates) or json (one object per line) (default ${DEFAULT-VALUE})")
    String format;

    /** @return false (with one line said) when the format is neither plain nor json */
    boolean apply() {
        if (!format.equals("plain") && !format.equals("json")) {
            System.err.println("irsa: --log-format must be plain or json, not " + format);
            return false;
        }
        System.setProperty(LogSetup.FORMAT_PROPERTY, format);
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context && System.getProperty("logback.configurationFile") == null) {
            context.reset();
            new LogSetup().configure(context);
        }
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        return true;
    }
}
