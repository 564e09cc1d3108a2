package io.openirsa.core.sts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.openirsa.core.AwsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signing keys of OIDC issuers, fetched over HTTP the way STS fetches them: the discovery
 * document at {@code {issuer}/.well-known/openid-configuration}, then its {@code jwks_uri}.
 * Built-in issuers take this same path; nothing is read from the database.
 *
 * <p>Keys are kept for a fixed time. A token whose {@code kid} is unknown forces a refetch (a rotated
 * key is found at once), but forced refetches happen at most once per {@link #MIN_REFRESH} per
 * issuer, so a flood of made-up kids cannot hammer the issuer.
 */
public final class JwksCache {
    private static final Logger LOG = LoggerFactory.getLogger(JwksCache.class);
    static final Duration TTL = Duration.ofMinutes(10);
    static final Duration MIN_REFRESH = Duration.ofSeconds(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_BYTES = 512 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param forced when a refetch was last forced by an unknown kid, or null */
    private record Entry(JWKSet keys, Instant fetched, Instant forced) {
    }

    private final HttpClient http;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public JwksCache(Clock clock) {
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * The keys of an issuer that may carry {@code kid} (null: the token names none).
     *
     * @throws AwsException IDPCommunicationError when the issuer cannot be reached, InvalidIdentityToken
     *                      when it answers with something that is not a usable discovery document or JWKS
     */
    public List<JWK> keys(String issuer, String kid) {
        Instant now = clock.instant();
        Entry entry = entries.get(issuer);
        boolean stale = entry == null || entry.fetched.plus(TTL).isBefore(now);
        boolean unknownKid = entry != null && kid != null && entry.keys.getKeyByKeyId(kid) == null;
        if (stale) {
            entry = new Entry(fetch(issuer), now, entry == null ? null : entry.forced);
            entries.put(issuer, entry);
        } else if (unknownKid && (entry.forced == null || entry.forced.plus(MIN_REFRESH).isBefore(now))) {
            entry = new Entry(fetch(issuer), now, now);
            entries.put(issuer, entry);
        }
        if (kid == null) {
            return entry.keys.getKeys();
        }
        JWK key = entry.keys.getKeyByKeyId(kid);
        return key == null ? List.of() : List.of(key);
    }

    /** Forgets an issuer's keys, e.g. when its provider is deleted. */
    public void invalidate(String issuer) {
        entries.remove(issuer);
    }

    private JWKSet fetch(String issuer) {
        URI discovery = uri(issuer.endsWith("/") ? issuer + ".well-known/openid-configuration"
                : issuer + "/.well-known/openid-configuration");
        JsonNode doc;
        try {
            doc = JSON.readTree(get(discovery));
        } catch (IOException e) {
            throw keyRetrievalFailed(issuer, "discovery document is not JSON");
        }
        JsonNode jwksUri = doc == null ? null : doc.get("jwks_uri");
        if (jwksUri == null || !jwksUri.isTextual()) {
            throw keyRetrievalFailed(issuer, "discovery document has no jwks_uri");
        }
        try {
            return JWKSet.parse(get(uri(jwksUri.asText())));
        } catch (java.text.ParseException e) {
            throw keyRetrievalFailed(issuer, "JWKS does not parse");
        }
    }

    private String get(URI uri) {
        requireSecureTransport(uri);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                byte[] bytes = body.readNBytes(MAX_BYTES + 1);
                if (response.statusCode() != 200 || bytes.length > MAX_BYTES) {
                    throw keyRetrievalFailed(uri.toString(), "HTTP " + response.statusCode());
                }
                return new String(bytes, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            LOG.info("identity provider {} unreachable: {}", uri, e.toString());
            throw new AwsException("IDPCommunicationError", 400,
                    "The identity provider could not be reached. Try again later or check the provider's discovery endpoint.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AwsException("IDPCommunicationError", 400, "The identity provider could not be reached.");
        }
    }

    private static URI uri(String s) {
        try {
            URI u = URI.create(s);
            if (u.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw AwsException.invalidIdentityToken(
                    "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements");
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
        throw AwsException.invalidIdentityToken(
                "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements");
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
        return AwsException.invalidIdentityToken(
                "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements");
    }
}
