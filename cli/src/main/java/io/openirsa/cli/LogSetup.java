package io.openirsa.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Where logs go, set in code rather than in a logback.xml: reading that file takes logback's XML
 * configurator and the JDK's SAX parser, some 400 classes, a fifth of a second at every start. Logs go to
 * stderr, so that stdout stays clean for {@code eval "$(bin/irsa env)"} and {@code bin/irsa token}.
 * {@code -Dlogback.configurationFile=FILE} still picks a file of one's own.
 *
 * <p>One format per process, {@code --log-format} (or {@code OPENIRSA_LOG_FORMAT}): {@code plain}, lines
 * with full dates, or {@code json}, one JSON object per line from logback's own JsonEncoder (timestamp,
 * level, logger, message, and the request lines' fields as key-value pairs). The format must be known
 * before logback starts, so {@link Main} reads the flag from the arguments first.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        boolean json = "json".equals(format());
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr(context, "STDERR", json ? jsonEncoder(context) : pattern(context, PLAIN)));
        // One line per request (request id, action, principal, outcome, HTTP status, source IP, user agent, latency),
        // when OPENIRSA_REQUEST_LOG=INFO.
        Logger requests = context.getLogger("io.openirsa.requests");
        requests.setLevel(Level.toLevel(setting("OPENIRSA_REQUEST_LOG"), Level.OFF));
        requests.setAdditive(false);
        requests.addAppender(stderr(context, "REQUESTS", json ? jsonEncoder(context) : pattern(context, PLAIN_REQUEST)));
        context.getLogger("io.openirsa").setLevel(Level.INFO);
        for (String quiet : new String[] {"org.flywaydb", "com.zaxxer", "io.helidon"}) {
            context.getLogger(quiet).setLevel(Level.WARN);
        }
        // A client that hangs up in the middle of its headers is, to Helidon, a warning with a stack
        // trace: 16 lines for each such connection, from anyone without credentials.
        context.getLogger("io.helidon.webserver.http1.Http1Connection").setLevel(Level.ERROR);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Line breaks in a message become spaces: messages quote what callers sent, and a line of theirs must not pass for ours. */
    static final String PLAIN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} - %replace(%msg){'[\\r\\n]+', ' '}%n";
    static final String PLAIN_REQUEST = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level request - %replace(%msg %kvp){'[\\r\\n]+', ' '}%n";
    /** Where {@link Main} puts {@code --log-format} for the configurator. */
    static final String FORMAT_PROPERTY = "openirsa.log.format";

    /** plain or json: the flag, else OPENIRSA_LOG_FORMAT, else plain. */
    static String format() {
        String f = System.getProperty(FORMAT_PROPERTY);
        if (f == null || f.isEmpty()) {
            f = System.getenv("OPENIRSA_LOG_FORMAT");
        }
        return f == null || f.isEmpty() ? "plain" : f;
    }

    private static Encoder<ILoggingEvent> pattern(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    /** The JSON encoder of {@code --log-format json}. */
    static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }

    /** A system property, else the environment variable of that name (as logback.xml's ${NAME} was). */
    private static String setting(String name) {
        String value = System.getProperty(name);
        return value != null ? value : System.getenv(name);
    }

    private static ConsoleAppender<ILoggingEvent> stderr(LoggerContext context, String name, Encoder<ILoggingEvent> encoder) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }
}
