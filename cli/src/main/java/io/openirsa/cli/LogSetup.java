package io.openirsa.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Where logs go, set in code rather than in a logback.xml: reading that file takes logback's XML
 * configurator and the JDK's SAX parser, some 400 classes, a fifth of a second at every start. Logs go to
 * stderr, so that stdout stays clean for {@code eval "$(bin/irsa env)"} and {@code bin/irsa token}.
 * {@code -Dlogback.configurationFile=FILE} still picks a file of one's own.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr(context, "STDERR", "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n"));
        // One JSON line per request (request id, action, principal, outcome, latency), when OPENIRSA_REQUEST_LOG=INFO.
        Logger requests = context.getLogger("io.openirsa.requests");
        requests.setLevel(Level.toLevel(setting("OPENIRSA_REQUEST_LOG"), Level.OFF));
        requests.setAdditive(false);
        requests.addAppender(stderr(context, "REQUESTS", "%msg%n"));
        context.getLogger("io.openirsa").setLevel(Level.INFO);
        for (String quiet : new String[] {"org.flywaydb", "com.zaxxer", "io.helidon"}) {
            context.getLogger(quiet).setLevel(Level.WARN);
        }
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** A system property, else the environment variable of that name (as logback.xml's ${NAME} was). */
    private static String setting(String name) {
        String value = System.getProperty(name);
        return value != null ? value : System.getenv(name);
    }

    private static ConsoleAppender<ILoggingEvent> stderr(LoggerContext context, String name, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }
}
