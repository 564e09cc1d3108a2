package io.openirsa.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The logging LogSetup gives every command: found as logback's configurator, and nothing on stdout. */
class LogSetupTest {

    @Test
    void logsGoToStderrAtTheLevelsItSets() {
        LoggerContext context = new LoggerContext();
        new LogSetup().configure(context);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        assertThat(((ConsoleAppender<?>) root.getAppender("STDERR")).getTarget()).isEqualTo("System.err");
        assertThat(context.getLogger("io.openirsa").getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("io.helidon").getLevel()).isEqualTo(Level.WARN);
        Logger requests = context.getLogger("io.openirsa.requests");
        assertThat(requests.isAdditive()).isFalse();
        assertThat(((ConsoleAppender<?>) requests.getAppender("REQUESTS")).getTarget()).isEqualTo("System.err");
        if (System.getenv("OPENIRSA_REQUEST_LOG") == null && System.getProperty("OPENIRSA_REQUEST_LOG") == null) {
            assertThat(requests.getLevel()).isEqualTo(Level.OFF);
        }
    }

    @Test
    void isTheConfiguratorLogbackUses() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getAppender("STDERR")).as("LogSetup's appender, not logback's default one on stdout").isNotNull();
        Logger requests = (Logger) LoggerFactory.getLogger("io.openirsa.requests");
        assertThat(requests.getAppender("REQUESTS")).as("the request log's own appender, which only LogSetup sets").isNotNull();
    }

    @Test
    void aPlainLine_isOneLine_whateverItsMessageQuotes() {
        LoggerContext context = new LoggerContext();
        for (String pattern : new String[] {LogSetup.PLAIN, LogSetup.PLAIN_REQUEST}) {
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(context);
            encoder.setPattern(pattern);
            encoder.start();
            LoggingEvent event = new LoggingEvent("x", context.getLogger("io.openirsa.webhook"), Level.WARN,
                    "pod {}: conflict", null, new Object[] {"default/p\n2026-12-07T00:00:00.000Z ERROR Forged - a line of the caller's\r\nand more"});
            String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
            assertThat(line).as(pattern).endsWith(System.lineSeparator()).contains("default/p 2026-12-07T00:00:00.000Z ERROR Forged - a line of the caller's and more");
            assertThat(line.strip().lines()).as(pattern).hasSize(1);
        }
    }
}
