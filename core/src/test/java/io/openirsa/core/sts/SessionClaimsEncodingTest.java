package io.openirsa.core.sts;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A session token's plaintext: the claims come back exactly as sealed, and anything else is refused, never a crash. */
class SessionClaimsEncodingTest {

    @Property(tries = 1000)
    void readsBackAsWritten(@ForAll("claims") SessionClaims claims) throws Exception {
        assertThat(SessionClaimsEncoding.decode(SessionClaimsEncoding.encode(claims))).isEqualTo(claims);
    }

    @Property(tries = 300)
    void everyShorterOrLongerEncoding_isRefused(@ForAll("claims") SessionClaims claims) {
        byte[] whole = SessionClaimsEncoding.encode(claims);
        for (int cut = 0; cut < whole.length; cut += Math.max(1, whole.length / 40)) {
            byte[] shorter = Arrays.copyOf(whole, cut);
            assertThatThrownBy(() -> SessionClaimsEncoding.decode(shorter)).isInstanceOf(IOException.class);
        }
        assertThatThrownBy(() -> SessionClaimsEncoding.decode(Arrays.copyOf(whole, whole.length + 1))).isInstanceOf(IOException.class);
    }

    @Property(tries = 2000)
    void noiseIsRefusedWithAnIOException_neverAnotherException(@ForAll @Size(max = 200) byte[] noise) {
        Throwable t = catchThrowable(() -> SessionClaimsEncoding.decode(noise));
        assertThat(t).isInstanceOf(IOException.class);
    }

    /** The version 1 reader (Jackson's) takes what Jackson's own writer makes of the claims: tokens sealed before version 2. */
    @Property(tries = 200)
    void version1JsonStillReads(@ForAll("claims") SessionClaims claims) throws Exception {
        var writer = new com.fasterxml.jackson.databind.ObjectMapper().registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
                .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        assertThat(SessionTokens.claims(writer.writeValueAsBytes(claims))).isEqualTo(claims);
    }

    @Provide
    Arbitrary<SessionClaims> claims() {
        // Any text, nulls included: quotes, control characters, other scripts, and the lone surrogates an escape in a JWT can carry.
        Arbitrary<String> text = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(30),
                Arbitraries.strings().withChars('a', 'é', '✓', '\ud800', '\udc00', '"', '\u0000').ofMaxLength(8)).injectNull(0.2);
        Arbitrary<Instant> time = Arbitraries.longs().between(0, 4_102_444_800_000_000_000L).map(n -> Instant.ofEpochSecond(0, n)).injectNull(0.1);
        Arbitrary<List<String>> list = Arbitraries.strings().ofMaxLength(20).list().ofMaxSize(3);
        Arbitrary<Map<String, String>> tags = Arbitraries.maps(Arbitraries.strings().ofMinLength(1).ofMaxLength(10), Arbitraries.strings().ofMaxLength(10))
                .ofMaxSize(3);
        return Combinators.combine(text.list().ofSize(12), time, time, list, tags, list).as((t, issued, expires, arns, tg, keys) ->
                new SessionClaims(t.get(0), t.get(1), t.get(2), t.get(3), t.get(4), t.get(5), t.get(6), issued, expires, t.get(7), t.get(8),
                        t.get(9), t.get(10), arns, tg, keys, t.get(11)));
    }
}
