package io.openirsa.core;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * An instant to the second as ISO-8601 text ({@code 2026-12-02T19:17:22Z}), the last second's text
 * kept: the thousands of requests in one second share their times' text, where formatting it each
 * time was 1 % of an exchange (async-profiler). One per use, so that uses do not displace each other.
 */
public final class SecondsText {
    private record Last(long second, String text) {
    }

    private volatile Last last = new Last(Long.MIN_VALUE, null);

    public String format(Instant instant) {
        long second = instant.getEpochSecond();
        Last l = last;
        if (l.second() == second) {
            return l.text();
        }
        String text = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(second));
        last = new Last(second, text);
        return text;
    }
}
