package io.openirsa.core.sts;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Names resolved once: an issuer's host is resolved and its addresses checked (JwksCache), then
 * pinned here for the fetch, and the HTTP client's own lookup of that name gets the same addresses
 * from this JVM-wide resolver, however the name's DNS answers change in between (DNS rebinding).
 * Every other name goes to the JDK's own resolver. Registered as a service
 * (META-INF/services/java.net.spi.InetAddressResolverProvider).
 */
public final class PinnedAddresses extends InetAddressResolverProvider {
    private record Pin(InetAddress[] addresses, long untilNanos) {
    }

    private static final Map<String, Pin> PINS = new ConcurrentHashMap<>();

    /** Makes lookups of {@code host} answer {@code addresses} for {@code ttl}; a later pin of the same host replaces it. */
    static void pin(String host, InetAddress[] addresses, Duration ttl) {
        PINS.put(key(host), new Pin(addresses.clone(), System.nanoTime() + ttl.toNanos()));
        if (PINS.size() > 10_000) {
            long now = System.nanoTime();
            PINS.values().removeIf(p -> p.untilNanos - now < 0);
        }
    }

    private static String key(String host) {
        return host.toLowerCase(Locale.ROOT);
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                Pin pin = PINS.get(key(host));
                if (pin != null && pin.untilNanos - System.nanoTime() > 0) {
                    return Arrays.stream(pin.addresses);
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "openirsa-pinned-addresses";
    }
}
