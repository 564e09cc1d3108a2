package io.openirsa.core.sts;

import io.openirsa.core.AwsException;
import io.openirsa.core.model.OidcProvider;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * One HTTP client per TLS trust (CA bundle and thumbprints) was made and never freed: 200 thumbprint
 * changes left 202 selector threads and 83 MB. The clients are now a bounded cache that shuts down
 * what it evicts, so the threads stay bounded however often thumbprints change.
 */
class JwksCacheClientsTest {

    static long selectorThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().contains("SelectorManager")).count();
    }

    @Test
    void thumbprintChanges_doNotLeaveAClientAndAThreadEach() throws Exception {
        JwksCache cache = new JwksCache(Clock.systemUTC(), Duration.ofHours(6), "http://127.0.0.1:1", false);
        long before = selectorThreads();
        for (int i = 0; i < 200; i++) {
            String thumbprint = String.format("%040x", i);
            OidcProvider p = new OidcProvider("123456789012", "https://127.0.0.1:1/issuer-" + i, List.of("sts.amazonaws.com"),
                    List.of(thumbprint), Instant.now(), Map.of(), null);
            AwsException e = catchThrowableOfType(AwsException.class, () -> cache.keys(p, "kid"));
            assertThat(e).as("a loopback issuer is refused").isNotNull();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (selectorThreads() - before > 70 && System.nanoTime() < deadline) {
            Thread.sleep(50); // shutdown is orderly: a selector thread ends shortly after its client is evicted
        }
        assertThat(selectorThreads() - before).as("selector threads left by 200 trusts").isLessThanOrEqualTo(70);
    }
}
