package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.eks.model.Cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kubectl create token} against a cluster's endpoint, as a user of EKS gets there: the endpoint
 * and CA from DescribeCluster in a kubeconfig, a bearer token as {@code aws eks get-token} makes it,
 * and kubectl as it is (TLS, a protobuf body).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubectlTokenTest {
    static final ObjectMapper JSON = new ObjectMapper();
    Fixture f;
    Cluster cluster;
    String bearer;

    @BeforeAll
    void start() throws Exception {
        f = new Fixture();
        f.createCluster("kubectl");
        cluster = f.eks.describeCluster(r -> r.name("kubectl")).cluster();
        RemoteServer admin = new RemoteServer(f.server.endpoint(), f.server.adminKey().accessKeyId(),
                f.server.adminKey().secretAccessKey(), null, "us-east-1");
        bearer = "k8s-aws-v1." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                TokenCommand.presignedCallerIdentity(f.server.endpoint(), admin, "kubectl").getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    void stop() {
        f.close();
    }

    /** Runs kubectl with a kubeconfig for this endpoint, CA and token; its exit code, standard output and error. */
    record Run(int exit, String out, String err) {
    }

    Run kubectl(String endpoint, String caData, String token, String... args) throws Exception {
        Path dir = Files.createTempDirectory("kubectl");
        Path config = dir.resolve("config");
        Files.writeString(config, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster: {server: "%s", certificate-authority-data: "%s"}
                contexts:
                - name: c
                  context: {cluster: c, user: u}
                current-context: c
                users:
                - name: u
                  user: {token: "%s"}
                """.formatted(endpoint, caData, token));
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", config.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("kubectl finished").isTrue();
        return new Run(p.exitValue(), Files.readString(dir.resolve("out")).trim(), Files.readString(dir.resolve("err")).trim());
    }

    @Test
    void describeCluster_givesAnHttpsEndpoint_andTheCaItsCertificateChainsTo() {
        assertThat(cluster.endpoint()).startsWith("https://127.0.0.1:").endsWith("/clusters/kubectl");
        String pem = new String(Base64.getDecoder().decode(cluster.certificateAuthority().data()), StandardCharsets.US_ASCII);
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----").doesNotContain("PRIVATE KEY");
    }

    @Test
    void kubectlCreateToken_issuesATokenThatExchangesAtSts() throws Exception {
        Run run = kubectl(cluster.endpoint(), cluster.certificateAuthority().data(), bearer,
                "create", "token", "app", "-n", "default", "--audience", "sts.amazonaws.com", "--duration", "1h");
        assertThat(run.exit()).as(run.err()).isZero();
        String token = run.out();
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(claims.path("sub").asText()).isEqualTo("system:serviceaccount:default:app");
        assertThat(claims.path("aud").toString()).isEqualTo("[\"sts.amazonaws.com\"]");
        assertThat(claims.path("exp").asLong() - Instant.now().getEpochSecond()).as("--duration 1h").isBetween(3500L, 3600L);

        String issuer = cluster.identity().oidc().issuer();
        String provider = f.registerProvider(issuer);
        String role = f.iam.createRole(b -> b.roleName("kubectl-app").assumeRolePolicyDocument(
                Fixture.trustPolicy(provider, issuer, "default", "app"))).role().arn();
        var assumed = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(role).roleSessionName("kubectl").webIdentityToken(token));
        assertThat(assumed.assumedRoleUser().arn()).endsWith(":assumed-role/kubectl-app/kubectl");
    }

    @Test
    void boundToAPod_theTokenCarriesIt() throws Exception {
        Run run = kubectl(cluster.endpoint(), cluster.certificateAuthority().data(), bearer, "create", "token", "app", "-n", "default",
                "--bound-object-kind", "Pod", "--bound-object-name", "web-0", "--bound-object-uid", "7d0b3c4e-0000-4000-8000-000000000001");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(run.out().split("\\.")[1]));
        assertThat(claims.path("kubernetes.io").path("pod").path("name").asText()).isEqualTo("web-0");
    }

    @Test
    void anotherCa_isRefusedByKubectl_andNoTokenIsRefusedByTheServer() throws Exception {
        String otherCa = Base64.getEncoder().encodeToString(new TestCertificates(Files.createTempDirectory("other-ca")).caPem.getBytes(StandardCharsets.US_ASCII));
        Run untrusted = kubectl(cluster.endpoint(), otherCa, bearer, "create", "token", "app", "-n", "default");
        assertThat(untrusted.exit()).isNotZero();
        assertThat(untrusted.err()).contains("certificate");

        Run anonymous = kubectl(cluster.endpoint(), cluster.certificateAuthority().data(), "not-a-token", "create", "token", "app", "-n", "default");
        assertThat(anonymous.exit()).isNotZero();
        assertThat(anonymous.err()).containsIgnoringCase("unauthorized");
    }

    @Test
    void aBrokenProtobufBody_getsKubernetesBadRequest() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(trusting(cluster.certificateAuthority().data())).build();
        for (byte[] body : List.of("k8s\0\n\u00ff\u00ff".getBytes(StandardCharsets.ISO_8859_1), "not protobuf".getBytes(StandardCharsets.UTF_8),
                new byte[] {'k', '8', 's', 0, 0x12, 0x02, 0x12, (byte) 0xff})) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(cluster.endpoint() + "/api/v1/namespaces/default/serviceaccounts/app/token"))
                    .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/vnd.kubernetes.protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).path("kind").asText()).isEqualTo("Status");
        }
    }

    static javax.net.ssl.SSLContext trusting(String caData) throws Exception {
        var ca = java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(caData)));
        var store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        var ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
