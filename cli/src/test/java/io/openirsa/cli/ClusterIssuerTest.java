package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.eks.model.Cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** EKS clusters and their OIDC issuers: discovery, JWKS, and the tokens they sign, as kube-apiserver would. */
class ClusterIssuerTest extends ServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void createCluster_hasItsOwnIssuer() {
        String a = f.createCluster("issuer-a");
        String b = f.createCluster("issuer-b");
        assertThat(a).matches(f.server.endpoint().replace(".", "\\.") + "/id/[0-9A-F]{32}");
        assertThat(b).isNotEqualTo(a);
        Cluster c = f.eks.describeCluster(r -> r.name("issuer-a")).cluster();
        assertThat(c.arn()).isEqualTo("arn:aws:eks:us-east-1:123456789012:cluster/issuer-a");
        assertThat(c.statusAsString()).isEqualTo("ACTIVE");
        assertThat(c.createdAt()).isNotNull();
        assertThat(c.endpoint()).isEqualTo(f.server.kubernetesUrl() + "/clusters/issuer-a");
    }

    @Test
    void clusterErrors_areEksErrors() {
        AwsServiceException missing = catchThrowableOfType(AwsServiceException.class, () -> f.eks.describeCluster(r -> r.name("nope")));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
        assertThat(missing.awsErrorDetails().errorMessage()).isEqualTo("No cluster found for name: nope.");

        f.createCluster("dup");
        AwsServiceException dup = catchThrowableOfType(AwsServiceException.class, () -> f.createCluster("dup"));
        assertThat(dup.statusCode()).isEqualTo(409);
        assertThat(dup.awsErrorDetails().errorCode()).isEqualTo("ResourceInUseException");

        AwsServiceException bad = catchThrowableOfType(AwsServiceException.class, () -> f.createCluster("-bad name"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterException");
    }

    @Test
    void listClusters_pages_andDeleteRemovesTheIssuer() throws Exception {
        for (String n : List.of("list-1", "list-2", "list-3")) {
            f.createCluster(n);
        }
        List<String> names = new ArrayList<>();
        f.eks.listClustersPaginator(r -> r.maxResults(1)).clusters().forEach(names::add);
        assertThat(names).contains("list-1", "list-2", "list-3").doesNotHaveDuplicates();

        String issuer = f.eks.describeCluster(r -> r.name("list-3")).cluster().identity().oidc().issuer();
        assertThat(get(issuer + "/.well-known/jwks.json").statusCode()).isEqualTo(200);
        assertThat(f.eks.deleteCluster(r -> r.name("list-3")).cluster().statusAsString()).isEqualTo("DELETING");
        assertThat(get(issuer + "/.well-known/jwks.json").statusCode()).isEqualTo(404);
        assertThatThrownBy(() -> f.eks.describeCluster(r -> r.name("list-3"))).isInstanceOf(AwsServiceException.class);
    }

    @Test
    void discoveryDocumentAndJwks_asKubernetesServesThem() throws Exception {
        String issuer = f.createCluster("discovery");
        HttpResponse<String> d = get(issuer + "/.well-known/openid-configuration");
        assertThat(d.statusCode()).isEqualTo(200);
        assertThat(d.headers().firstValue("cache-control")).contains("public, max-age=3600");
        JsonNode doc = JSON.readTree(d.body());
        assertThat(doc.path("issuer").asText()).isEqualTo(issuer);
        assertThat(doc.path("jwks_uri").asText()).as("as EKS names it").isEqualTo(issuer + "/keys");
        assertThat(doc.path("response_types_supported").toString()).isEqualTo("[\"id_token\"]");
        assertThat(doc.path("subject_types_supported").toString()).isEqualTo("[\"public\"]");
        assertThat(doc.path("id_token_signing_alg_values_supported").toString()).isEqualTo("[\"RS256\"]");

        HttpResponse<String> jwks = get(issuer + "/.well-known/jwks.json");
        assertThat(jwks.headers().firstValue("cache-control")).contains("public, max-age=3600");
        assertThat(get(issuer + "/openid/v1/jwks").body()).isEqualTo(jwks.body());
        assertThat(get(doc.path("jwks_uri").asText()).body()).isEqualTo(jwks.body());
        JWKSet set = JWKSet.parse(jwks.body());
        assertThat(set.getKeys()).hasSize(1);
        RSAKey key = set.getKeys().get(0).toRSAKey();
        assertThat(key.isPrivate()).isFalse();
        assertThat(jwks.body()).doesNotContain("\"d\"").doesNotContain("\"p\"");
        String kid = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(key.toRSAPublicKey().getEncoded()));
        assertThat(key.getKeyID()).isEqualTo(kid);
        assertThat(get(f.server.endpoint() + "/id/00000000000000000000000000000000/.well-known/jwks.json").statusCode()).isEqualTo(404);
    }

    @Test
    void projectedToken_hasKubeApiserverClaims_andVerifiesWithTheJwks() throws Exception {
        String issuer = f.createCluster("claims");
        String token = f.token("claims", "team-a", "worker");
        SignedJWT jwt = SignedJWT.parse(token);
        RSAKey key = JWKSet.parse(get(issuer + "/.well-known/jwks.json").body()).getKeyByKeyId(jwt.getHeader().getKeyID()).toRSAKey();
        assertThat(jwt.verify(new RSASSAVerifier(key))).isTrue();
        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("RS256");

        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(claims.path("iss").asText()).isEqualTo(issuer);
        assertThat(claims.path("sub").asText()).isEqualTo("system:serviceaccount:team-a:worker");
        assertThat(claims.path("aud").isArray()).isTrue();
        assertThat(claims.path("aud").toString()).isEqualTo("[\"sts.amazonaws.com\"]");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(86400);
        assertThat(claims.path("nbf").asLong()).isEqualTo(claims.path("iat").asLong());
        assertThat(claims.path("jti").asText()).hasSize(36);
        assertThat(claims.path("kubernetes.io").path("namespace").asText()).isEqualTo("team-a");
        assertThat(claims.path("kubernetes.io").path("serviceaccount").path("name").asText()).isEqualTo("worker");
        assertThat(claims.path("kubernetes.io").path("serviceaccount").path("uid").asText()).hasSize(36);
    }

    @Test
    void tokenLifetime_minimumRefused_maximumClamped() throws Exception {
        f.createCluster("lifetime");
        assertThatThrownBy(() -> f.token("lifetime", "default", "app", List.of("sts.amazonaws.com"), 599L))
                .hasMessageContaining("(400)").hasMessageContaining("may not specify a duration less than 10 minutes");
        String longest = f.token("lifetime", "default", "app", List.of("sts.amazonaws.com"), 30L * 86400);
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(longest.split("\\.")[1]));
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(7L * 86400);
        assertThatThrownBy(() -> f.token("lifetime", "Not_A_Namespace", "app")).hasMessageContaining("(400)");
    }

    @Test
    void tokenRequest_needsCredentialsForThatCluster() throws Exception {
        f.createCluster("auth-a");
        f.createCluster("auth-b");
        String url = f.server.endpoint() + "/clusters/auth-b/api/v1/namespaces/default/serviceaccounts/app/token";
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(none.body()).path("kind").asText()).isEqualTo("Status");

        // A bearer token made for cluster auth-a signs x-k8s-aws-id: auth-a, so it does not open auth-b.
        RemoteServer admin = new RemoteServer(f.server.endpoint(), f.server.adminKey().accessKeyId(),
                f.server.adminKey().secretAccessKey(), null, "us-east-1");
        String presigned = TokenCommand.presignedCallerIdentity(f.server.endpoint(), admin, "auth-a");
        String bearer = "k8s-aws-v1." + Base64.getUrlEncoder().withoutPadding().encodeToString(presigned.getBytes());
        HttpResponse<String> crossed = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + bearer)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(crossed.statusCode()).isEqualTo(401);

        HttpResponse<String> junk = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer k8s-aws-v1.!!!")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(junk.statusCode()).isEqualTo(401);
        assertThat(f.token("auth-b", "default", "app")).isNotBlank();
    }
}
