package io.openirsa.cli;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** How the server keeps issuers' keys: no refetch for valid traffic, outages ridden out, slow issuers cut off. */
class JwksCacheTest extends ServerTest {

    String trust(TestIssuer issuer, String role) {
        String provider = f.iam.createOpenIDConnectProvider(b -> b.url(issuer.url).clientIDList("my-app")).openIDConnectProviderArn();
        return f.iam.createRole(b -> b.roleName(role).assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + provider
                        + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}")).role().arn();
    }

    String assume(String roleArn, String token) {
        return f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn).roleSessionName("cache").webIdentityToken(token))
                .subjectFromWebIdentityToken();
    }

    String refusedCode(String roleArn, String token) {
        return catchThrowableOfType(AwsServiceException.class, () -> assume(roleArn, token)).awsErrorDetails().errorCode();
    }

    /** AWS's answer when an issuer's keys cannot be had: unreachable, too slow, or unusable alike. */
    static final String KEYS_NOT_RETRIEVED = "InvalidIdentityToken: Couldn't retrieve verification key from your identity provider,  please "
            + "reference AssumeRoleWithWebIdentity documentation for requirements";

    String refusal(String roleArn, String token) {
        var details = catchThrowableOfType(AwsServiceException.class, () -> assume(roleArn, token)).awsErrorDetails();
        return details.errorCode() + ": " + details.errorMessage();
    }

    @Test
    void validTraffic_doesNotRefetchKeys_evenConcurrently() throws Exception {
        try (TestIssuer issuer = new TestIssuer()) {
            String role = trust(issuer, "cache-steady");
            String token = issuer.token("user-1", "my-app", c -> { });
            assume(role, token);
            long fetches = f.server.domain().jwks().fetchCount();
            int hits = issuer.jwksHits;
            var pool = Executors.newFixedThreadPool(8);
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                results.add(pool.submit((Callable<String>) () -> assume(role, token)));
            }
            for (Future<String> r : results) {
                assertThat(r.get()).isEqualTo("user-1");
            }
            pool.shutdown();
            assertThat(f.server.domain().jwks().fetchCount()).isEqualTo(fetches);
            assertThat(issuer.jwksHits).isEqualTo(hits);
        }
    }

    @Test
    void issuerDown_cachedKeysKeepWorking_untilStaleIfErrorRunsOut() throws Exception {
        TestIssuer issuer = new TestIssuer();
        String role = trust(issuer, "cache-outage");
        long now = Instant.now().getEpochSecond();
        String token = issuer.token("user-1", "my-app", c -> c.put("exp", now + 10 * 3600));
        assume(role, token);
        issuer.close();

        f.clock.advance(Duration.ofHours(2)); // past the cache lifetime: a refetch is due, and fails
        assertThat(assume(role, token)).isEqualTo("user-1");

        f.clock.advance(Duration.ofHours(5)); // 7 h after the last fetch: past stale-if-error (6 h)
        assertThat(refusal(role, token)).isEqualTo(KEYS_NOT_RETRIEVED);
    }

    @Test
    void slowIssuer_isCutOffAfterFiveSeconds() throws Exception {
        try (TestIssuer issuer = new TestIssuer()) {
            issuer.delayMillis = 7000;
            String role = trust(issuer, "cache-slow");
            long started = System.nanoTime();
            assertThat(refusal(role, issuer.token("user-1", "my-app", c -> { }))).isEqualTo(KEYS_NOT_RETRIEVED);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(7));
        }
    }

    @Test
    void throttlingOrFailingIssuer_getsAwsAnswer() throws Exception {
        for (int status : new int[] {429, 503}) {
            try (TestIssuer issuer = new TestIssuer()) {
                issuer.jwksStatus = status;
                String role = trust(issuer, "cache-status-" + status);
                assertThat(refusal(role, issuer.token("user-1", "my-app", c -> { }))).as("HTTP %d", status).isEqualTo(KEYS_NOT_RETRIEVED);
            }
        }
    }

    @Test
    void cacheControl_setsHowLongKeysAreKept() throws Exception {
        try (TestIssuer issuer = new TestIssuer()) {
            issuer.cacheControl = "public, max-age=120";
            String role = trust(issuer, "cache-control");
            long now = Instant.now().getEpochSecond();
            String token = issuer.token("user-1", "my-app", c -> c.put("exp", now + 3600));
            assume(role, token);
            int hits = issuer.jwksHits;
            f.clock.advance(Duration.ofSeconds(60));
            assume(role, token);
            assertThat(issuer.jwksHits).as("within max-age").isEqualTo(hits);
            f.clock.advance(Duration.ofSeconds(90));
            assume(role, token);
            assertThat(issuer.jwksHits).as("past max-age").isEqualTo(hits + 1);
        }
    }
}
