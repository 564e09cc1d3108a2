package io.openirsa.cli;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import io.openirsa.core.model.Cluster;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A built-in issuer rotating its keys while tokens are in use: the new key is published before it
 * signs, tokens of the old key stay valid until they expire, and STS follows without a restart.
 */
class IssuerKeyRotationTest extends ServerTest {
    String issuer;
    Cluster cluster;
    String roleArn;
    final HttpClient http = HttpClient.newHttpClient();

    /** Each test makes its own clusters: the clock moves days ahead within a test and is reset after it. */
    void setUpCluster() {
        issuer = f.createCluster("rotating");
        cluster = f.server.domain().issuers().clusterById(issuer.substring(issuer.lastIndexOf('/') + 1)).orElseThrow();
        String provider = f.registerProvider(issuer);
        roleArn = f.iam.createRole(b -> b.roleName("rotating").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "app")))
                .role().arn();
    }

    List<String> publishedKids() throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(issuer + "/.well-known/jwks.json")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return JWKSet.parse(body).getKeys().stream().map(k -> k.getKeyID()).toList();
    }

    /** Tokens are minted by the issuer directly: the clock runs days ahead, past SigV4's 15 minutes for TokenRequest. */
    String token(long seconds) {
        return f.server.domain().issuers().issue(cluster, "default", "app", List.of("sts.amazonaws.com"), seconds, null, null).token();
    }

    String kid(String token) throws Exception {
        return SignedJWT.parse(token).getHeader().getKeyID();
    }

    boolean accepted(String token) {
        try {
            f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn).roleSessionName("rot").webIdentityToken(token));
            return true;
        } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
            return false;
        }
    }

    static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.allCommands().execute(args)).isZero();
            return buffer.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void rotation_keepsEveryValidToken_andFollowsWithoutRestart() throws Exception {
        setUpCluster();
        String k0 = publishedKids().get(0);
        String oldToken = token(86400);
        assertThat(kid(oldToken)).isEqualTo(k0);
        assertThat(accepted(oldToken)).isTrue();

        // bin/irsa keys rotate: a pending key is published at once but does not sign yet.
        String rotated = run("keys", "rotate", "--cluster", "rotating", "--data", f.data.toString());
        assertThat(rotated).contains("AddPending").contains("PENDING").contains("PRIMARY");
        rotateUntil(() -> publishedKids().size() == 2); // what the server's minute job does: reload the keyset
        assertThat(publishedKids()).hasSize(2).contains(k0);
        assertThat(kid(token(3600))).isEqualTo(k0);

        // One JWKS cache lifetime later the new key takes over; the old one stays published.
        f.clock.advance(Duration.ofMinutes(61));
        rotateUntil(() -> f.server.domain().issuers().storedKeys(cluster.id()).stream()
                .anyMatch(k -> k.status() == io.openirsa.core.model.KeyStatus.PRIMARY && !k.keyId().equals(k0)));
        List<String> kids = publishedKids();
        String k1 = kids.stream().filter(k -> !k.equals(k0)).findFirst().orElseThrow();
        String newToken = token(3600);
        assertThat(kid(newToken)).isEqualTo(k1);
        assertThat(accepted(newToken)).as("STS refetches the JWKS for the new kid").isTrue();
        assertThat(accepted(oldToken)).as("a token of the retired key is valid until it expires").isTrue();
        assertThat(run("keys", "list", "--cluster", "rotating", "--data", f.data.toString()))
                .containsPattern(k1 + " +PRIMARY").containsPattern(k0 + " +RETIRED");

        // Past the longest token lifetime (7 days here) the retired key is gone from the JWKS.
        f.clock.advance(Duration.ofDays(7).plusMinutes(10));
        rotateUntil(() -> !publishedKids().contains(k0));
        assertThat(publishedKids()).doesNotContain(k0).contains(k1);
    }

    @Test
    void scheduledRotation_afterThePeriod() throws Exception {
        String other = f.createCluster("scheduled");
        Cluster c = f.server.domain().issuers().clusterById(other.substring(other.lastIndexOf('/') + 1)).orElseThrow();
        String k0 = f.server.domain().issuers().storedKeys(c.id()).get(0).keyId();
        f.clock.advance(Duration.ofDays(7).minusMinutes(59)); // within the hour before the period ends
        rotateUntil(() -> f.server.domain().issuers().storedKeys(c.id()).size() == 2);
        assertThat(f.server.domain().issuers().storedKeys(c.id())).hasSize(2);
        f.clock.advance(Duration.ofMinutes(61));
        rotateUntil(() -> f.server.domain().issuers().storedKeys(c.id()).stream()
                .anyMatch(k -> k.status() == io.openirsa.core.model.KeyStatus.PRIMARY && !k.keyId().equals(k0)));
        assertThat(f.server.domain().issuers().keys(c.id()).publicJwks().getKeys()).hasSize(2);
        assertThat(f.server.domain().issuers().storedKeys(c.id()))
                .anySatisfy(k -> assertThat(k.keyId()).isEqualTo(k0))
                .filteredOn(k -> k.status() == io.openirsa.core.model.KeyStatus.PRIMARY).singleElement()
                .satisfies(k -> assertThat(k.keyId()).isNotEqualTo(k0));
    }

    /**
     * Key rotation as the server's minute job runs it. That job, running at the same moment, holds the
     * rotation lock, and a call meanwhile does nothing: so again, until the keys show the rotation.
     */
    private void rotateUntil(java.util.concurrent.Callable<Boolean> rotated) throws Exception {
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(30);
        f.server.rotateKeys();
        while (!rotated.call()) {
            assertThat(java.time.Instant.now()).as("rotated within 30 s").isBefore(deadline);
            Thread.sleep(100);
            f.server.rotateKeys();
        }
    }
}
