package io.openirsa.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The real clock shifted by an offset that tests move, instead of sleeping. */
final class TestClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    void advance(Duration d) {
        offset = offset.plus(d);
    }

    void reset() {
        offset = Duration.ZERO;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
