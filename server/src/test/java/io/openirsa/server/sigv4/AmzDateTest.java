package io.openirsa.server.sigv4;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hand-written X-Amz-Date reader (on every signed call's path) against the formatter it replaced. */
class AmzDateTest {

    @Property(tries = 2000)
    void readsWhatTheFormatterWrites(@ForAll @LongRange(min = 0, max = 253_402_300_799L) long seconds) {
        Instant at = Instant.ofEpochSecond(seconds);
        String text = SigV4.AMZ_DATE.format(at);
        assertThat(SigV4.amzDate(text)).isEqualTo(at).isEqualTo(Instant.from(SigV4.AMZ_DATE.parse(text)));
    }

    @Example
    void refusesWhatIsNotADate() {
        for (String bad : List.of("", "20150830T123600", "20150830T123600Z ", "2015-08-30T12:36:00Z", "20150830t123600Z", "20151330T123600Z",
                "20150230T123600Z", "20150830T246000Z", "20150830T123660Z", "2015083OT123600Z", "٢٠١٥0830T123600Z", "+0150830T123600Z")) {
            assertThatThrownBy(() -> SigV4.amzDate(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
        }
    }
}
