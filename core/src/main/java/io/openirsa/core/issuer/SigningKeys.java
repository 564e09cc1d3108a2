package io.openirsa.core.issuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.StoredKey;
import io.openirsa.core.sts.KeyEncryption;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * One issuer's keyset: every key is published in the JWKS, the primary one signs. Built from stored
 * keys; refuses a keyset without exactly one primary.
 */
public final class SigningKeys {
    private final List<RSAKey> keys;
    private final RSAKey primary;

    private SigningKeys(List<RSAKey> keys, RSAKey primary) {
        this.keys = keys;
        this.primary = primary;
    }

    static SigningKeys of(List<StoredKey> stored, KeyEncryption encryption) {
        List<StoredKey> primaries = stored.stream().filter(k -> k.status() == KeyStatus.PRIMARY).toList();
        if (primaries.size() != 1) {
            throw new IllegalStateException("an issuer keyset needs exactly one primary key, found " + primaries.size());
        }
        List<RSAKey> keys = stored.stream().map(k -> parse(k, encryption)).toList();
        RSAKey primary = parse(primaries.get(0), encryption);
        return new SigningKeys(keys, primary);
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
        return primary;
    }

    /** The public JWKS: every key of the keyset, private parts removed. */
    public JWKSet publicJwks() {
        return new JWKSet(List.copyOf(keys.stream().map(k -> (JWK) k.toPublicJWK()).toList()));
    }
}
