package io.openirsa.cli;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for a kube-apiserver's service-account issuer, as a real cluster serves it: discovery at
 * {@code /.well-known/openid-configuration} and keys at {@code /openid/v1/jwks}, over https with a
 * private CA, optionally only with a bearer token (discovery not opened to anonymous users). The
 * {@code jwks_uri} is on another host (127.0.0.2), as kube-apiserver's external address often is.
 * Tokens carry kube-apiserver's exact claims and its {@code kid} (base64url of the SHA-256 of the
 * public key's DER encoding), signed RS256 or ES256; keys rotate mid-test.
 */
final class StandInApiServer implements AutoCloseable {
    final String issuer;
    final String jwksUri;
    private final HttpsServer discovery;
    private final HttpsServer keysHost;
    /** The signing keys, the first one signs; all are published. */
    volatile List<JWK> keys = new ArrayList<>();
    /** When set, both endpoints answer 401 without {@code Authorization: Bearer} and this token. */
    volatile String requiredBearer;
    final AtomicInteger jwksFetches = new AtomicInteger();

    StandInApiServer(TestCertificates certs, String name) throws Exception {
        discovery = https(certs, name + "-api", "127.0.0.1");
        keysHost = https(certs, name + "-external", "127.0.0.2");
        issuer = "https://127.0.0.1:" + discovery.getAddress().getPort();
        jwksUri = "https://127.0.0.2:" + keysHost.getAddress().getPort() + "/openid/v1/jwks";
        discovery.createContext("/.well-known/openid-configuration", ex -> respond(ex, """
                {"issuer":"%s","jwks_uri":"%s","response_types_supported":["id_token"],"subject_types_supported":["public"],\
                "id_token_signing_alg_values_supported":["RS256","ES256"]}""".formatted(issuer, jwksUri)));
        keysHost.createContext("/openid/v1/jwks", ex -> {
            jwksFetches.incrementAndGet();
            respond(ex, new JWKSet(keys.stream().map(JWK::toPublicJWK).toList()).toString());
        });
        discovery.start();
        keysHost.start();
        addRsaKey();
    }

    private static HttpsServer https(TestCertificates certs, String name, String ip) throws Exception {
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getByName(ip), 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(certs.server(name, ip)));
        s.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        return s;
    }

    private void respond(HttpExchange ex, String body) throws IOException {
        String bearer = requiredBearer;
        if (bearer != null && !("Bearer " + bearer).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}";
            send(ex, 401, body);
            return;
        }
        send(ex, 200, body);
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.getResponseHeaders().add("Cache-Control", "public, max-age=3600");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    /** kube-apiserver's key id: base64url(SHA-256(DER of the public key)). */
    private static String kid(java.security.PublicKey key) throws Exception {
        return Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(key.getEncoded())).toString();
    }

    JWK addRsaKey() throws Exception {
        RSAKey k = new RSAKeyGenerator(2048).generate();
        return add(new RSAKey.Builder(k).keyID(kid(k.toPublicKey())).keyUse(com.nimbusds.jose.jwk.KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.RS256).build());
    }

    JWK addEcKey() throws Exception {
        ECKey k = new ECKeyGenerator(Curve.P_256).generate();
        return add(new ECKey.Builder(k).keyID(kid(k.toPublicKey())).keyUse(com.nimbusds.jose.jwk.KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.ES256).build());
    }

    private JWK add(JWK key) {
        List<JWK> next = new ArrayList<>(keys);
        next.add(key);
        keys = next;
        return key;
    }

    /** A rotation as kube-apiserver's key files change: the new key signs from now on, the old one is no longer published. */
    JWK rotate() throws Exception {
        JWK next = addRsaKey();
        keys = List.of(next);
        return next;
    }

    /** A kubelet-projected token, as kube-apiserver signs it for a pod, with the first key. */
    String token(String namespace, String serviceAccount, String pod, String audience) throws Exception {
        return token(keys.get(0), namespace, serviceAccount, pod, audience);
    }

    String token(JWK key, String namespace, String serviceAccount, String pod, String audience) throws Exception {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", List.of(audience));
        claims.put("exp", now + 3600);
        claims.put("iat", now);
        claims.put("iss", issuer);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("kubernetes.io", Map.of(
                "namespace", namespace,
                "node", Map.of("name", "node-1", "uid", UUID.randomUUID().toString()),
                "pod", Map.of("name", pod, "uid", UUID.randomUUID().toString()),
                "serviceaccount", Map.of("name", serviceAccount, "uid", UUID.randomUUID().toString())));
        claims.put("nbf", now);
        claims.put("sub", "system:serviceaccount:" + namespace + ":" + serviceAccount);
        JWSSigner signer = key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) key);
        JWSAlgorithm alg = key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
        return TestIssuer.sign(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), signer, claims);
    }

    @Override
    public void close() {
        discovery.stop(0);
        keysHost.stop(0);
    }
}
