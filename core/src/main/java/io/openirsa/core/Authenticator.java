package io.openirsa.core;

import io.openirsa.core.model.AccessKey;
import io.openirsa.core.store.Store;
import io.openirsa.core.sts.KeyEncryption;
import io.openirsa.core.sts.SessionClaims;
import io.openirsa.core.sts.SessionTokens;

import java.time.Clock;

/**
 * Finds who an access key belongs to and the secret to check its signature with: a long-term key
 * from the store, or a session key whose sealed session token travels with the request.
 */
public final class Authenticator {
    private static final String INVALID = "The security token included in the request is invalid.";

    private final Store store;
    private final SessionTokens sessionTokens;
    private final Clock clock;
    private final KeyEncryption keyEncryption;

    /** @param keyEncryption what opens the long-term keys' secrets, sealed at rest */
    public Authenticator(Store store, SessionTokens sessionTokens, Clock clock, KeyEncryption keyEncryption) {
        this.store = store;
        this.sessionTokens = sessionTokens;
        this.clock = clock;
        this.keyEncryption = keyEncryption;
    }

    /** The caller and the secret that must have signed the request. Never log the secret. */
    public record Credential(Caller caller, String secretAccessKey) {
        @Override
        public String toString() {
            return "Credential[" + caller.arn() + "]";
        }
    }

    /**
     * @param sessionToken the X-Amz-Security-Token, or null
     * @throws AwsException InvalidClientTokenId for unknown keys and foreign or forged tokens, ExpiredToken
     *                      for a session past its expiration
     */
    public Credential resolve(String accessKeyId, String sessionToken) {
        if (sessionToken != null) {
            SessionClaims claims = sessionTokens.open(sessionToken)
                    .filter(c -> c.accessKeyId().equals(accessKeyId))
                    .orElseThrow(() -> new AwsException(AwsError.INVALID_CLIENT_TOKEN_ID, INVALID));
            if (!clock.instant().isBefore(claims.expiration())) {
                throw new AwsException(AwsError.EXPIRED_TOKEN, "The security token included in the request is expired");
            }
            // A session belongs to the role it was issued for, by id: a role deleted and made again
            // under the same name is another role, and the old sessions die with the old role.
            if (store.role(claims.accountId(), claims.roleName()).filter(r -> r.roleId().equals(claims.roleId())).isEmpty()) {
                throw new AwsException(AwsError.INVALID_CLIENT_TOKEN_ID, INVALID).explained(DenialStage.AUTHENTICATION,
                        "the session's role " + claims.roleArn() + " (id " + claims.roleId() + ") no longer exists", "assume the role again");
            }
            return new Credential(Caller.of(claims), claims.secretAccessKey());
        }
        AccessKey key = store.accessKey(accessKeyId)
                .orElseThrow(() -> new AwsException(AwsError.INVALID_CLIENT_TOKEN_ID, INVALID));
        return new Credential(Caller.root(key.accountId()), keyEncryption.open(key.secretAccessKey()));
    }
}
