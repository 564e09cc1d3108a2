package io.openirsa.core.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** CloudTrail's parameter values written by hand come out as Jackson's serializer writes them. */
class CloudTrailValueTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Property(tries = 1000)
    void writesWhatTheSerializerWrites(@ForAll("values") Object value) throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            CloudTrail.value(g, value);
        }
        assertThat(out.toString()).isEqualTo(JSON.writeValueAsString(value));
    }

    @Provide
    Arbitrary<Object> values() {
        Arbitrary<Object> scalar = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(12).map(Object.class::cast),
                Arbitraries.integers().map(Object.class::cast), Arbitraries.longs().map(Object.class::cast), Arbitraries.of(true, false).map(Object.class::cast),
                Arbitraries.doubles().map(Object.class::cast), Arbitraries.just(Instant.EPOCH.toString()).map(Object.class::cast))
                .injectNull(0.1);
        return Arbitraries.recursive(() -> scalar, inner -> Arbitraries.oneOf(
                inner.list().ofMaxSize(3).map(Object.class::cast),
                Arbitraries.maps(Arbitraries.strings().ofMaxLength(6), inner).ofMaxSize(3).map(m -> (Object) new LinkedHashMap<>(m)),
                Arbitraries.just((Object) Map.of("k", List.of(1, "two"))),
                Arbitraries.just((Object) Map.of(7, "seven"))), 3); // a key that is not a string, as the serializer names it
    }
}
