package io.openirsa.cli;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An OIDC issuer outside OpenIRSA, on loopback: a discovery document and a JWKS over HTTP, and
 * tokens signed with RS256 or ES256 keys, with any claims. What a test can also make it do: serve a
 * broken JWKS, or rotate its keys.
 */
final class TestIssuer implements AutoCloseable {
    final HttpServer http;
    final String url;
    volatile List<JWK> keys = new ArrayList<>();
    volatile String jwksOverride;
    volatile int jwksHits;
    volatile long delayMillis;
    volatile String cacheControl;
    /** The JWKS endpoint answers this status with an empty body when not 200 (a throttling or failing issuer). */
    volatile int jwksStatus = 200;

    TestIssuer() throws Exception {
        this(null);
    }

    /** Over https with this server context (certificate and key), when not null. */
    TestIssuer(javax.net.ssl.SSLContext tls) throws Exception {
        if (tls == null) {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } else {
            var https = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            http = https;
        }
        http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        url = (tls == null ? "http" : "https") + "://127.0.0.1:" + http.getAddress().getPort() + "/issuer";
        http.createContext("/issuer/.well-known/openid-configuration", ex -> respond(ex,
                "{\"issuer\":\"" + url + "\",\"jwks_uri\":\"" + url + "/keys\",\"response_types_supported\":[\"id_token\"],"
                        + "\"subject_types_supported\":[\"public\"],\"id_token_signing_alg_values_supported\":[\"RS256\",\"ES256\"]}"));
        http.createContext("/issuer/keys", ex -> {
            jwksHits++;
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (cacheControl != null) {
                ex.getResponseHeaders().add("Cache-Control", cacheControl);
            }
            if (jwksStatus != 200) {
                ex.sendResponseHeaders(jwksStatus, -1);
                ex.close();
                return;
            }
            respond(ex, jwksOverride != null ? jwksOverride : new JWKSet(keys.stream().map(JWK::toPublicJWK).toList()).toString());
        });
        http.start();
        addRsaKey("rsa-1");
    }

    private static void respond(com.sun.net.httpserver.HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    RSAKey addRsaKey(String kid) throws Exception {
        RSAKey k = new RSAKeyGenerator(2048).keyID(kid).generate();
        List<JWK> next = new ArrayList<>(keys);
        next.add(k);
        keys = next;
        return k;
    }

    ECKey addEcKey(String kid) throws Exception {
        ECKey k = new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        List<JWK> next = new ArrayList<>(keys);
        next.add(k);
        keys = next;
        return k;
    }

    /** A token signed by the first key, with iss, sub, aud (array), iat, nbf, exp (1 h), then the caller's changes. */
    String token(String subject, String audience, Consumer<Map<String, Object>> claims) throws Exception {
        return sign(keys.get(0), subject, audience, claims);
    }

    String sign(JWK key, String subject, String audience, Consumer<Map<String, Object>> claims) throws Exception {
        JWSSigner signer = key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) key);
        JWSAlgorithm alg = key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
        return sign(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), signer, claims(subject, audience, claims));
    }

    static String sign(JWSHeader header, JWSSigner signer, Map<String, Object> claims) throws Exception {
        JWSObject jws = new JWSObject(header, new Payload(claims));
        jws.sign(signer);
        return jws.serialize();
    }

    /** Signs a payload as given, byte for byte: for payloads that no claims map can make. */
    static String signPayload(JWSHeader header, JWSSigner signer, String payload) throws Exception {
        JWSObject jws = new JWSObject(header, new Payload(payload));
        jws.sign(signer);
        return jws.serialize();
    }

    /** The usual claims (iss, sub, aud as an array, iat, nbf, exp in 1 h), then the caller's changes. */
    Map<String, Object> claims(String subject, String audience, Consumer<Map<String, Object>> changes) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", url);
        c.put("sub", subject);
        c.put("aud", List.of(audience));
        c.put("iat", now);
        c.put("nbf", now);
        c.put("exp", now + 3600);
        changes.accept(c);
        return c;
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
