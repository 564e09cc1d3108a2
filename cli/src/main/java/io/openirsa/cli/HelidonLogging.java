package io.openirsa.cli;

import io.helidon.logging.common.spi.LoggingProvider;

/**
 * Helidon's hook for a logging implementation. Logging is set up by {@link LogSetup} and
 * {@link LogOptions}, so there is nothing to do; without a provider, Helidon prints a line of its own
 * ("no Helidon logging implementation") past every log format.
 */
public final class HelidonLogging implements LoggingProvider {
    @Override
    public void initialization() {
    }

    @Override
    public void runTime() {
    }
}
