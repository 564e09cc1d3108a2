package io.openirsa.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

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
}
