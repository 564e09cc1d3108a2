package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.openirsa.server.sigv4.SigV4;
import io.openirsa.signer.SigningBackend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The signer's answers from an OpenIRSA server: claims are signed there (the private keys never leave
 * it), and the keys are the cluster's public JWKS as the server holds it (the next key before it
 * signs, old keys until their tokens expire), not as a published copy may lag.
 */
final class RemoteSigningBackend implements SigningBackend {
    private final RemoteServer server;
    private final String cluster;
    private final String path;

    RemoteSigningBackend(RemoteServer server, String cluster) {
        this.server = server;
        this.cluster = cluster;
        this.path = "/clusters/" + SigV4.encode(cluster) + "/openirsa/v1/signer";
    }

    @Override
    public Signature sign(String claims) throws Exception {
        JsonNode a = call("POST", path, Map.of("claims", claims));
        return new Signature(a.path("header").asText(), a.path("signature").asText());
    }

    @Override
    public List<VerificationKey> keys() throws Exception {
        JsonNode jwks = call("GET", path, null).path("keys");
        List<VerificationKey> keys = new ArrayList<>();
        for (JWK k : JWKSet.parse(jwks.toString()).getKeys()) {
            if (k instanceof AsymmetricJWK a) {
                keys.add(new VerificationKey(k.getKeyID(), a.toPublicKey()));
            }
        }
        return keys;
    }

    @Override
    public long maxTokenSeconds() throws Exception {
        return call("GET", path, null).path("maxTokenExpirationSeconds").asLong();
    }

    private JsonNode call(String method, String at, Object body) throws Exception {
        try {
            return server.call(method, "eks", at, null, body);
        } catch (RemoteServer.Refused e) {
            throw new Refused(e.status, e.code + ": " + e.getMessage());
        }
    }
}
