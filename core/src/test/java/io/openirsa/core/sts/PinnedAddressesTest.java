package io.openirsa.core.sts;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JVM-wide resolver (a service of this jar) answers a pinned name with the addresses that were
 * checked, as the HTTP client's own lookup sees it, whatever DNS would say; other names, and a pin
 * past its time, go to the JDK's resolver.
 */
class PinnedAddressesTest {

    @Test
    void aPinnedName_resolvesToTheCheckedAddresses() throws Exception {
        InetAddress checked = InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 7});
        PinnedAddresses.pin("rebinding.openirsa-test.invalid", new InetAddress[] {checked}, Duration.ofSeconds(10));
        assertThat(InetAddress.getAllByName("rebinding.openirsa-test.invalid")).containsExactly(checked);
        assertThat(InetAddress.getAllByName("REBINDING.openirsa-test.invalid")).containsExactly(checked);
    }

    @Test
    void otherNames_goToTheJdksResolver() throws Exception {
        assertThat(InetAddress.getAllByName("localhost")).anySatisfy(a -> assertThat(a.isLoopbackAddress()).isTrue());
        // .invalid never resolves (RFC 6761): an unpinned name is the JDK resolver's.
        assertThatThrownBy(() -> InetAddress.getAllByName("unpinned.openirsa-test.invalid")).isInstanceOf(UnknownHostException.class);
    }
}
