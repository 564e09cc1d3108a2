package io.openirsa.core.sts;

import io.openirsa.core.model.OidcProvider;

import java.time.Instant;
import java.util.List;

/**
 * A web identity token whose signature, issuer, audience and times have been checked. Only
 * {@link WebIdentityVerifier} can make one, so code that takes it knows the checks ran.
 *
 * @param audience the token audience that matched the provider's client ID list
 */
public final class VerifiedToken {
    private final OidcProvider provider;
    private final String subject;
    private final String audience;
    private final List<String> amr;
    private final String azp;
    private final Instant expiration;
    private final SessionTags tags;
    private final String sourceIdentity;

    VerifiedToken(OidcProvider provider, String subject, String audience, List<String> amr, String azp, Instant expiration,
                  SessionTags tags, String sourceIdentity) {
        this.provider = provider;
        this.subject = subject;
        this.audience = audience;
        this.amr = amr;
        this.azp = azp;
        this.expiration = expiration;
        this.tags = tags;
        this.sourceIdentity = sourceIdentity;
    }

    /** Session tags from the {@code https://aws.amazon.com/tags} claim; empty when the token has none. */
    public SessionTags tags() {
        return tags;
    }

    /** The {@code https://aws.amazon.com/source_identity} claim, or null. */
    public String sourceIdentity() {
        return sourceIdentity;
    }

    public OidcProvider provider() {
        return provider;
    }

    public String subject() {
        return subject;
    }

    public String audience() {
        return audience;
    }

    /** The amr claim, or null when the token has none. */
    public List<String> amr() {
        return amr;
    }

    /** The azp claim, or null. */
    public String azp() {
        return azp;
    }

    public Instant expiration() {
        return expiration;
    }
}
