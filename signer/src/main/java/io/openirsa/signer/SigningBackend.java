package io.openirsa.signer;

import java.security.PublicKey;
import java.util.List;

/** Where the signer's answers come from: OpenIRSA, which keeps the private keys (the signer never holds one). */
public interface SigningBackend {
    /** A JWS header and signature for a JWT payload segment, both base64url as the JWT carries them. */
    record Signature(String header, String signature) {
    }

    /** A key that verifies the cluster's tokens. */
    record VerificationKey(String keyId, PublicKey key) {
    }

    /**
     * Signs kube-apiserver's claims with the cluster's current key.
     *
     * @throws Refused when OpenIRSA refuses the claims or the caller
     */
    Signature sign(String claims) throws Exception;

    /** Every key a live token of the cluster may be signed with: the next key before it signs, old keys until their tokens expire. */
    List<VerificationKey> keys() throws Exception;

    /** The longest token lifetime OpenIRSA signs. */
    long maxTokenSeconds() throws Exception;

    /** OpenIRSA refused: bad claims (400), a caller without the permission (401, 403), or it cannot answer now (5xx). */
    final class Refused extends Exception {
        private final int status;

        public Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
