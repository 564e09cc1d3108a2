package io.openirsa.core;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The kept second's text is always the text of the instant asked about, in any order of instants. */
class SecondsTextTest {

    @Property(tries = 500)
    void formatsAsIsoInstantToTheSecond(@ForAll @Size(max = 20) List<@LongRange(min = -3_000_000_000_000L, max = 3_000_000_000_000L) Long> millis) {
        SecondsText text = new SecondsText();
        for (long m : millis) {
            for (Instant i : List.of(Instant.ofEpochMilli(m), Instant.ofEpochMilli(m).plusNanos(999_999))) { // twice in one second, then on
                assertThat(text.format(i)).isEqualTo(DateTimeFormatter.ISO_INSTANT.format(i.truncatedTo(ChronoUnit.SECONDS)));
            }
        }
    }
}
