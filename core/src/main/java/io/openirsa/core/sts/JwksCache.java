package io.openirsa.core.sts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.DenialStage;
import io.openirsa.core.model.Cluster;
import io.openirsa.core.model.OidcProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The signing keys of OIDC issuers, fetched over HTTP the way STS fetches them: the discovery
 * document at {@code {issuer}/.well-known/openid-configuration}, then its {@code jwks_uri}, each within
 * a 5-second budget. Built-in issuers take this same path; nothing is read from the database.
 *
 * <ul>
 *   <li>Keys are kept as long as the JWKS response's {@code Cache-Control: max-age} says, within
 *       {@link #MIN_TTL} and {@link #MAX_TTL} ({@link #DEFAULT_TTL} without one).</li>
 *   <li>A token whose {@code kid} is unknown forces a refetch at once (a rotated key works
 *       immediately), at most once per {@link #MIN_REFRESH} per issuer, so made-up kids cannot
 *       hammer the issuer.</li>
 *   <li>Single flight: while one request fetches an issuer's keys, others for that issuer wait for
 *       its result instead of fetching too.</li>
 *   <li>Stale if error: when a refetch fails, keys fetched less than {@code staleIfError} ago keep
 *       being used, so an issuer outage does not become an outage here.</li>
 *   <li>A failed fetch with nothing cached is remembered for {@link #FAILURE_TTL}: tokens naming an
 *       issuer that does not answer cost no outbound request each.</li>
 *   <li>Only public addresses: a provider URL (or its jwks_uri) that resolves to a loopback, private,
 *       link-local (instance metadata) or otherwise non-public address is refused before any
 *       connection, unless the server allows private issuers or it is this server's own issuer. The
 *       name is resolved once, here, and its checked addresses pinned ({@link PinnedAddresses}) for
 *       the HTTP client's own lookup, so a rebinding name cannot switch addresses in between.</li>
 *   <li>A registered Kubernetes cluster's issuer is fetched with the CA bundle and bearer token it was
 *       registered with (kube-apiserver's discovery is often neither public nor anonymous), for the
 *       account that registered it only; the keys themselves are public and shared by issuer URL.</li>
 * </ul>
 */
public final class JwksCache {
    private static final Logger LOG = LoggerFactory.getLogger(JwksCache.class);
    static final Duration MIN_TTL = Duration.ofMinutes(1);
    static final Duration MAX_TTL = Duration.ofHours(24);
    static final Duration DEFAULT_TTL = Duration.ofHours(1);
    static final Duration MIN_REFRESH = Duration.ofSeconds(5);
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_BYTES = 512 * 1024;
    private static final Pattern MAX_AGE = Pattern.compile("(?:^|[,\\s])max-age\\s*=\\s*(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration FAILURE_TTL = Duration.ofSeconds(10);
    private static final String KEY_NOT_FOUND =
            "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

    /**
     * @param fetched when these keys were fetched
     * @param expires when they must be fetched again
     * @param forced when a refetch was last forced by an unknown kid, or null
     */
    private record Entry(JWKSet keys, Instant fetched, Instant expires, Instant forced) {
    }

    private record Fetched(JWKSet keys, Duration ttl) {
    }

    /** Where an issuer is and how to reach it; the bearer token is never logged. */
    private record Endpoint(String issuer, Trust trust, String bearerToken) {
        @Override
        public String toString() {
            return issuer;
        }
    }

    /** The discovery settings of a cluster an account registered with this issuer URL, if any. */
    @FunctionalInterface
    public interface RegisteredIssuers {
        Optional<Cluster.Discovery> discovery(String accountId, String issuer);
    }

    private volatile HttpClient http; // made at the first fetch: most servers only verify their own issuers' tokens
    private final Clock clock;
    private final Duration staleIfError;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    /** One client per TLS trust (CA bundle, thumbprints), at most 64, shut down as they are evicted. */
    private final Cache<Trust, HttpClient> clients = Caffeine.newBuilder().maximumSize(64).expireAfterAccess(Duration.ofHours(1))
            .<Trust, HttpClient>removalListener((trust, client, cause) -> {
                if (client != null) {
                    client.shutdown();
                }
            }).build();
    /** Recent failed fetches by issuer and TLS trust: new trust (a CA bundle, a thumbprint) tries again at once. */
    private final Cache<Failed, AwsException> failures = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(FAILURE_TTL).build();
    private final String ownUrl;
    private final boolean privateIssuers;
    private final RegisteredIssuers registered;
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();

    /**
     * @param ownUrl this server's public URL: its own issuers are fetched wherever it is
     * @param privateIssuers whether other issuers may be on loopback, private or link-local addresses
     */
    public JwksCache(Clock clock, Duration staleIfError, String ownUrl, boolean privateIssuers) {
        this(clock, staleIfError, ownUrl, privateIssuers, (account, issuer) -> Optional.empty());
    }

    /** @param registered the registered clusters' discovery settings, read only when keys are fetched */
    public JwksCache(Clock clock, Duration staleIfError, String ownUrl, boolean privateIssuers, RegisteredIssuers registered) {
        this.registered = registered;
        this.clock = clock;
        this.staleIfError = staleIfError;
        this.ownUrl = ownUrl;
        this.privateIssuers = privateIssuers;
    }

    /**
     * The keys of an issuer that may have signed a token with this {@code kid} (null: the token names
     * none, and every key is a candidate).
     *
     * @throws AwsException IDPCommunicationError when the issuer cannot be reached and nothing usable is
     *                      cached (STS then answers as AWS does, eks-auth as it does), InvalidIdentityToken
     *                      when it answers with something unusable
     */
    public List<JWK> keys(OidcProvider provider, String kid) {
        return cachedKeys(provider.url(), () -> {
            Optional<Cluster.Discovery> cluster = registered.discovery(provider.accountId(), provider.url());
            boolean ownTrust = (provider.caBundle() != null && !provider.caBundle().isBlank()) || !provider.thumbprints().isEmpty();
            String caBundle = ownTrust ? provider.caBundle() : cluster.map(Cluster.Discovery::caBundle).orElse(null);
            return new Endpoint(provider.url(), new Trust(caBundle, List.copyOf(provider.thumbprints())),
                    cluster.map(Cluster.Discovery::bearerToken).orElse(null));
        }, kid);
    }

    /**
     * The keys of a registered cluster's issuer, fetched with its CA bundle and bearer token.
     *
     * @param discovery asked only when the keys must be fetched (it opens a sealed token)
     */
    public List<JWK> keys(String issuer, Supplier<Cluster.Discovery> discovery, String kid) {
        return cachedKeys(issuer, () -> {
            Cluster.Discovery d = discovery.get();
            return new Endpoint(issuer, new Trust(d == null ? null : d.caBundle(), List.of()), d == null ? null : d.bearerToken());
        }, kid);
    }

    private List<JWK> cachedKeys(String issuer, Supplier<Endpoint> endpoint, String kid) {
        Entry entry = entries.get(issuer);
        if (entry == null || !fresh(entry) || (kid != null && entry.keys.getKeyByKeyId(kid) == null)) {
            entry = refresh(endpoint.get(), kid);
        } else {
            hits.incrementAndGet();
        }
        if (kid == null) {
            return entry.keys.getKeys();
        }
        JWK key = entry.keys.getKeyByKeyId(kid);
        return key == null ? List.of() : List.of(key);
    }

    /** How many key lookups the cache answered without fetching. */
    public long hitCount() {
        return hits.get();
    }

    /** How many times discovery and JWKS were fetched, all issuers together. */
    public long fetchCount() {
        return fetches.get();
    }

    /** Forgets an issuer's keys, e.g. when its provider is deleted. */
    public void invalidate(String issuer) {
        entries.remove(issuer);
        failures.asMap().keySet().removeIf(f -> f.issuer().equals(issuer));
    }

    private boolean fresh(Entry e) {
        return clock.instant().isBefore(e.expires);
    }

    private Entry refresh(Endpoint provider, String kid) {
        String issuer = provider.issuer();
        ReentrantLock lock = locks.computeIfAbsent(issuer, i -> new ReentrantLock());
        lock.lock();
        try {
            // Someone may have fetched while we waited: decide again on what is there now.
            Instant now = clock.instant();
            Entry entry = entries.get(issuer);
            boolean unknownKid = entry != null && kid != null && entry.keys.getKeyByKeyId(kid) == null;
            boolean expired = entry == null || !fresh(entry);
            boolean mayForce = entry != null && (entry.forced == null || !now.isBefore(entry.forced.plus(MIN_REFRESH)));
            if (!expired && !(unknownKid && mayForce)) {
                return entry;
            }
            AwsException failedLately = entry == null ? failures.getIfPresent(new Failed(issuer, provider.trust())) : null;
            if (failedLately != null) {
                throw failedLately;
            }
            try {
                Fetched f = fetch(provider);
                Entry next = new Entry(f.keys, now, now.plus(f.ttl), !expired ? now : entry == null ? null : entry.forced);
                entries.put(issuer, next);
                return next;
            } catch (AwsException e) {
                if (entry != null && now.isBefore(entry.fetched.plus(staleIfError))) {
                    LOG.warn("keeping the cached keys of {} fetched at {}: refetch failed ({})", issuer, entry.fetched, e.code());
                    Entry kept = new Entry(entry.keys, entry.fetched, now.plus(MIN_REFRESH), now);
                    entries.put(issuer, kept);
                    return kept;
                }
                if (entry == null) {
                    failures.put(new Failed(issuer, provider.trust()), e);
                }
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    private Fetched fetch(Endpoint provider) {
        String issuer = provider.issuer();
        HttpClient http = client(provider);
        URI discovery = uri(issuer.endsWith("/") ? issuer + ".well-known/openid-configuration"
                : issuer + "/.well-known/openid-configuration");
        JsonNode doc;
        try {
            doc = JSON.readTree(get(http, discovery, provider.bearerToken()).body);
        } catch (IOException e) {
            throw keyRetrievalFailed(issuer, "discovery document is not JSON");
        }
        JsonNode jwksUri = doc == null ? null : doc.get("jwks_uri");
        if (jwksUri == null || !jwksUri.isTextual()) {
            throw keyRetrievalFailed(issuer, "discovery document has no jwks_uri");
        }
        Body jwks = get(http, uri(jwksUri.asText()), provider.bearerToken());
        try {
            JWKSet set = JWKSet.parse(jwks.body);
            LOG.info("fetched the JWKS of {}: {} keys, kept for {}", issuer, set.getKeys().size(), jwks.ttl);
            return new Fetched(set, jwks.ttl);
        } catch (ParseException e) {
            throw keyRetrievalFailed(issuer, "JWKS does not parse");
        }
    }

    private record Body(String body, Duration ttl) {
    }

    /** The HTTP client for a provider's TLS trust: shared by every provider with the same CA bundle and thumbprints. */
    private HttpClient client(Endpoint provider) {
        Trust trust = provider.trust();
        if ((trust.caBundle() == null || trust.caBundle().isBlank()) && trust.thumbprints().isEmpty()) {
            return defaultClient();
        }
        return clients.get(trust, t -> {
            try {
                return HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                        .sslContext(IssuerTrust.context(t.caBundle(), t.thumbprints())).build();
            } catch (GeneralSecurityException | RuntimeException e) {
                LOG.warn("the CA bundle or thumbprints of {} cannot be used: {}", provider.issuer(), e.toString());
                return defaultClient();
            }
        });
    }

    private record Trust(String caBundle, List<String> thumbprints) {
    }

    private record Failed(String issuer, Trust trust) {
    }

    /** The client for issuers with the system's trust. */
    private HttpClient defaultClient() {
        HttpClient client = http;
        if (client == null) {
            synchronized (this) {
                client = http;
                if (client == null) {
                    http = client = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
                }
            }
        }
        return client;
    }

    private Body get(HttpClient http, URI uri, String bearerToken) {
        requireSecureTransport(uri);
        requirePublicAddress(uri);
        fetches.incrementAndGet();
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").GET();
        if (bearerToken != null && "https".equals(uri.getScheme())) { // a credential never travels in clear text
            builder.header("Authorization", "Bearer " + bearerToken);
        }
        HttpRequest request = builder.build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                byte[] bytes = body.readNBytes(MAX_BYTES + 1);
                if (response.statusCode() != 200 || bytes.length > MAX_BYTES) {
                    throw keyRetrievalFailed(uri.toString(), "HTTP " + response.statusCode() + (bytes.length > MAX_BYTES ? ", over " + MAX_BYTES + " bytes" : ""));
                }
                return new Body(new String(bytes, StandardCharsets.UTF_8), ttl(response.headers().firstValue("cache-control").orElse(null)));
            }
        } catch (SSLHandshakeException e) {
            LOG.info("TLS to identity provider {} is not trusted: {}", uri, e.getMessage());
            throw AwsException.invalidIdentityToken("OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint")
                    .explained(DenialStage.KEY_RETRIEVAL, "the TLS certificate of " + uri + " is not trusted: " + e.getMessage(),
                            "register the thumbprint of its CA (aws iam update-open-id-connect-provider-thumbprint) or its CA bundle "
                                    + "(bin/irsa provider set-ca)");
        } catch (HttpTimeoutException e) {
            LOG.info("identity provider {} did not answer within {}", uri, TIMEOUT);
            throw unreachable(uri, "no answer within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            LOG.info("identity provider {} unreachable: {}", uri, e.toString());
            throw unreachable(uri, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable(uri, "interrupted");
        }
    }

    /** max-age within [MIN_TTL, MAX_TTL]; no-store/no-cache or nothing: the default. */
    static Duration ttl(String cacheControl) {
        if (cacheControl == null) {
            return DEFAULT_TTL;
        }
        Matcher m = MAX_AGE.matcher(cacheControl.toLowerCase(Locale.ROOT));
        if (!m.find()) {
            return cacheControl.contains("no-") ? MIN_TTL : DEFAULT_TTL;
        }
        try {
            Duration d = Duration.ofSeconds(Long.parseLong(m.group(1)));
            return d.compareTo(MIN_TTL) < 0 ? MIN_TTL : d.compareTo(MAX_TTL) > 0 ? MAX_TTL : d;
        } catch (NumberFormatException | ArithmeticException e) {
            return MAX_TTL;
        }
    }

    private static AwsException unreachable(URI uri, String why) {
        return new AwsException(AwsError.IDP_COMMUNICATION_ERROR,
                "The identity provider could not be reached. Try again later or check the provider's discovery endpoint.")
                .explained(DenialStage.KEY_RETRIEVAL, "the OIDC endpoint " + uri + " could not be reached: " + why,
                        "the issuer must be reachable from this server; check DNS, firewalls and that " + uri + " answers within 5 seconds");
    }

    private static URI uri(String s) {
        try {
            URI u = URI.create(s);
            if (u.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw AwsException.invalidIdentityToken(KEY_NOT_FOUND);
        }
    }

    /** https, except plain http to a loopback host (a local issuer on this machine). */
    static void requireSecureTransport(URI uri) {
        if ("https".equals(uri.getScheme())) {
            return;
        }
        if ("http".equals(uri.getScheme()) && isLoopback(uri.getHost())) {
            return;
        }
        throw AwsException.invalidIdentityToken(KEY_NOT_FOUND);
    }

    /** Refuses a URI whose host resolves to an address this server must not reach for a tenant. */
    private void requirePublicAddress(URI uri) {
        if (privateIssuers || (ownUrl != null && (uri.toString() + "/").startsWith(ownUrl + "/"))) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (IOException e) {
            throw unreachable(uri, "its host does not resolve");
        }
        for (InetAddress a : addresses) {
            if (!isPublic(a)) {
                LOG.info("refused to fetch {}: {} is not a public address", uri, a.getHostAddress());
                throw AwsException.invalidIdentityToken(KEY_NOT_FOUND).explained(DenialStage.KEY_RETRIEVAL, uri + " resolves to "
                        + a.getHostAddress() + ", which is not a public address", "serve the issuer on a public address, or start the "
                        + "server with --allow-private-issuers (local development only)");
            }
        }
        // The client connects to what was checked: its own lookup of the name gets these addresses.
        PinnedAddresses.pin(uri.getHost(), addresses, TIMEOUT.multipliedBy(2));
    }

    /** Neither loopback, wildcard, link-local (instance metadata), private, shared (100.64/10), unique-local nor multicast. */
    static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xFF;
            int second = b[1] & 0xFF;
            return first != 0 && !(first == 100 && second >= 64 && second < 128) && !(first == 192 && second == 0 && (b[2] & 0xFF) == 0)
                    && first < 224;
        }
        return (b[0] & 0xFE) != 0xFC; // fc00::/7, unique local (fd00:ec2::254 is EC2's metadata)
    }

    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return false; // a name other than localhost: never resolve it here
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static AwsException keyRetrievalFailed(String where, String why) {
        LOG.info("could not get verification keys from {}: {}", where, why);
        return AwsException.invalidIdentityToken(KEY_NOT_FOUND).explained(DenialStage.KEY_RETRIEVAL, where + ": " + why,
                "the issuer must serve a discovery document with jwks_uri, and a JWKS, as JSON over https (http only on loopback)");
    }
}
