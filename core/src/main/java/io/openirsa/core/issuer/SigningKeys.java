package io.openirsa.core.issuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.openirsa.core.keys.Keyset;
import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.StoredKey;
import io.openirsa.core.sts.KeyEncryption;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/** One issuer's keyset: every key is published in the JWKS, the primary one signs. */
public final class SigningKeys {
    private final Keyset<RSAKey> keyset;

    private SigningKeys(Keyset<RSAKey> keyset) {
        this.keyset = keyset;
    }

    static SigningKeys of(List<StoredKey> stored, KeyEncryption encryption) {
        return new SigningKeys(Keyset.of(stored, k -> parse(k, encryption)));
    }

    /** A new RSA-2048 key, its kid derived as Kubernetes derives it. */
    static StoredKey generate(String owner, KeyStatus status, Instant now, KeyEncryption encryption) {
        try {
            RSAKey raw = new RSAKeyGenerator(2048).generate();
            String kid = keyId(raw);
            RSAKey key = new RSAKey.Builder(raw).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).build();
            return new StoredKey(owner, kid, status, encryption.seal(key.toJSONString()), now, now);
        } catch (JOSEException e) {
            throw new IllegalStateException("generating an RSA key failed", e);
        }
    }

    /** base64url(SHA-256(DER SubjectPublicKeyInfo)), as kube-apiserver names its keys. */
    static String keyId(RSAKey key) throws JOSEException {
        try {
            byte[] spki = key.toRSAPublicKey().getEncoded();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(spki);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey parse(StoredKey k, KeyEncryption encryption) {
        try {
            return RSAKey.parse(encryption.open(k.material()));
        } catch (ParseException e) {
            throw new IllegalStateException("stored signing key " + k.keyId() + " does not parse", e);
        }
    }

    RSAKey primary() {
        return keyset.primary();
    }

    /** The public JWKS: every key of the keyset, private parts removed. */
    public JWKSet publicJwks() {
        return new JWKSet(keyset.keys().stream().map(k -> (JWK) k.toPublicJWK()).toList());
    }
}
