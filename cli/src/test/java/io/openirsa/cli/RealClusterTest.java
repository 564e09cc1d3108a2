package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWK;
import io.openirsa.cli.agent.CredentialAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A real cluster's tokens: a stand-in kube-apiserver (private CA, jwks_uri on another host, bearer-token
 * discovery, RS256 and ES256, a key rotation) registered with {@code irsa cluster register}, its
 * kubelet-projected tokens exchanged through AssumeRoleWithWebIdentity and Pod Identity by unmodified
 * clients, and the ways it must refuse.
 */
class RealClusterTest extends ServerTest {
    TestCertificates certs;
    StandInApiServer apiServer;
    StandInApiServer privateDiscovery;
    Path caFile;
    Path tokenFile;
    final List<CredentialAgent> agents = new ArrayList<>();
    static final String DISCOVERY_TOKEN = "eyJhbGciOi.discovery-reader-token.c2lnbmF0dXJl";

    @BeforeAll
    void setUp() throws Exception {
        certs = new TestCertificates(Files.createTempDirectory(f.data, "certs"));
        apiServer = new StandInApiServer(certs, "kind");
        privateDiscovery = new StandInApiServer(certs, "locked");
        privateDiscovery.requiredBearer = DISCOVERY_TOKEN;
        caFile = Files.writeString(f.data.resolve("cluster-ca.pem"), certs.caPem);
        tokenFile = Files.writeString(f.data.resolve("discovery-token"), DISCOVERY_TOKEN + "\n");
    }

    @AfterAll
    void stop() {
        agents.forEach(CredentialAgent::close);
        apiServer.close();
        privateDiscovery.close();
    }

    Map<String, String> adminEnv() {
        return Map.of("AWS_ENDPOINT_URL", f.server.endpoint(), "AWS_ACCESS_KEY_ID", f.server.adminKey().accessKeyId(),
                "AWS_SECRET_ACCESS_KEY", f.server.adminKey().secretAccessKey(), "AWS_REGION", "us-east-1");
    }

    int register(Map<String, String> env, String... args) {
        ClusterCommand.Register register = new ClusterCommand.Register();
        register.env = env;
        return Main.commandLine(register).execute(args);
    }

    int deregister(String name) {
        ClusterCommand.Deregister deregister = new ClusterCommand.Deregister();
        deregister.env = adminEnv();
        return Main.commandLine(deregister).execute("--name", name);
    }

    /** The EKS guide's IRSA role for this issuer and service account, with its OIDC provider (no thumbprint, no CA of its own). */
    String irsaRole(String name, String issuer, String namespace, String serviceAccount) {
        String provider = f.registerProvider(issuer);
        return f.iam.createRole(b -> b.roleName(name).assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, namespace, serviceAccount)))
                .role().arn();
    }

    AssumeRoleWithWebIdentityResponse exchange(String role, String token) {
        return f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(role).roleSessionName("pod").webIdentityToken(token));
    }

    AwsServiceException refused(String role, String token) {
        return catchThrowableOfType(AwsServiceException.class, () -> exchange(role, token));
    }

    @Test
    void registeredCluster_appearsInEks_andItsKubeletTokensExchange_RS256_ES256_andAcrossARotation() throws Exception {
        assertThat(register(adminEnv(), "--name", "kind", "--issuer", apiServer.issuer, "--ca-file", caFile.toString())).isZero();
        var cluster = f.eks.describeCluster(b -> b.name("kind")).cluster();
        assertThat(cluster.identity().oidc().issuer()).isEqualTo(apiServer.issuer);
        assertThat(cluster.arn()).isEqualTo("arn:aws:eks:us-east-1:123456789012:cluster/kind");
        assertThat(f.eks.listClusters(b -> { }).clusters()).contains("kind");

        String role = irsaRole("kind-app", apiServer.issuer, "shop", "cart");
        AssumeRoleWithWebIdentityResponse rs = exchange(role, apiServer.token("shop", "cart", "cart-7d9f", "sts.amazonaws.com"));
        assertThat(rs.subjectFromWebIdentityToken()).isEqualTo("system:serviceaccount:shop:cart");
        assertThat(rs.provider()).isEqualTo("arn:aws:iam::123456789012:oidc-provider/127.0.0.1:" + URI.create(apiServer.issuer).getPort());
        try (StsClient session = f.sts(rs.credentials())) {
            assertThat(session.getCallerIdentity().arn()).isEqualTo("arn:aws:sts::123456789012:assumed-role/kind-app/pod");
        }

        JWK ec = apiServer.addEcKey();
        assertThat(exchange(role, apiServer.token(ec, "shop", "cart", "cart-7d9f", "sts.amazonaws.com")).subjectFromWebIdentityToken())
                .as("ES256, a kid published after the keys were cached").isEqualTo("system:serviceaccount:shop:cart");

        assertThat(refused(role, apiServer.token("shop", "other", "x", "sts.amazonaws.com")).awsErrorDetails().errorCode())
                .as("another service account: the trust policy's sub condition").isEqualTo("AccessDenied");
        assertThat(refused(role, apiServer.token("shop", "cart", "x", "pods.eks.amazonaws.com")).awsErrorDetails().errorCode())
                .as("an audience the provider does not list").isEqualTo("InvalidIdentityToken");

        String beforeRotation = apiServer.token("shop", "cart", "cart-7d9f", "sts.amazonaws.com");
        apiServer.rotate();
        f.clock.advance(java.time.Duration.ofSeconds(6)); // past the refetch floor a forced refetch may follow
        assertThat(exchange(role, apiServer.token("shop", "cart", "cart-7d9f", "sts.amazonaws.com")).subjectFromWebIdentityToken())
                .as("the rotated key works at once").isEqualTo("system:serviceaccount:shop:cart");
        assertThat(refused(role, beforeRotation).awsErrorDetails().errorCode()).as("the key no longer published is not trusted")
                .isEqualTo("InvalidIdentityToken");
    }

    @Test
    void privateCa_withoutTheCaFile_isRefused() throws Exception {
        StandInApiServer untrusted = new StandInApiServer(certs, "untrusted");
        try {
            assertThat(register(adminEnv(), "--name", "no-ca", "--issuer", untrusted.issuer)).isZero();
            String role = irsaRole("no-ca-app", untrusted.issuer, "shop", "cart");
            AwsServiceException e = refused(role, untrusted.token("shop", "cart", "p", "sts.amazonaws.com"));
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
            assertThat(e.awsErrorDetails().errorMessage()).contains("certificate");
            assertThat(untrusted.jwksFetches).hasValue(0);
        } finally {
            untrusted.close();
        }
    }

    @Test
    void discoveryBehindABearerToken_needsTheToken_whichIsNeverShown() throws Exception {
        assertThat(register(adminEnv(), "--name", "locked", "--issuer", privateDiscovery.issuer, "--ca-file", caFile.toString())).isZero();
        String role = irsaRole("locked-app", privateDiscovery.issuer, "shop", "cart");
        String token = privateDiscovery.token("shop", "cart", "p", "sts.amazonaws.com");
        assertThat(refused(role, token).awsErrorDetails().errorCode()).as("401 from discovery without the token").isEqualTo("InvalidIdentityToken");

        assertThat(deregister("locked")).isZero();
        assertThat(register(adminEnv(), "--name", "locked", "--issuer", privateDiscovery.issuer, "--ca-file", caFile.toString(),
                "--discovery-token-file", tokenFile.toString())).isZero();
        assertThat(exchange(role, token).subjectFromWebIdentityToken()).isEqualTo("system:serviceaccount:shop:cart");

        String shown = f.eks.describeCluster(b -> b.name("locked")).cluster().toString()
                + f.cloudTrail().lookupEvents(b -> b.maxResults(50)).events().toString();
        assertThat(shown).contains("locked").doesNotContain(DISCOVERY_TOKEN);
        try (var files = Files.list(f.data)) {
            List<Path> database = files.filter(p -> p.getFileName().toString().startsWith("openirsa.db")).toList();
            assertThat(database).isNotEmpty();
            for (Path p : database) {
                assertThat(new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1)).as("sealed at rest in " + p)
                        .doesNotContain(DISCOVERY_TOKEN);
            }
        }
    }

    @Test
    void podIdentity_onARegisteredCluster_acceptsItsTokens_throughTheAgent() throws Exception {
        assertThat(register(adminEnv(), "--name", "kind-pods", "--issuer", apiServer.issuer, "--ca-file", caFile.toString())).isZero();
        f.iam.createRole(b -> b.roleName("kind-pods-app").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"Service\":\"pods.eks.amazonaws.com\"},\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"]}]}"));
        f.eks.createPodIdentityAssociation(b -> b.clusterName("kind-pods").namespace("shop").serviceAccount("cart")
                .roleArn("arn:aws:iam::123456789012:role/kind-pods-app"));
        CredentialAgent agent = new CredentialAgent(URI.create(f.server.endpoint()), "kind-pods", "us-east-1", new CredentialAgent.NodeCredentials(
                f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey(), null), "127.0.0.1", 0, Clock.systemUTC());
        agents.add(agent);

        HttpResponse<String> ok = agentCall(agent, apiServer.token("shop", "cart", "cart-5c", "pods.eks.amazonaws.com"));
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode creds = new ObjectMapper().readTree(ok.body());
        try (StsClient session = f.sts(StaticCredentialsProvider.create(AwsSessionCredentials.create(creds.path("AccessKeyId").asText(),
                creds.path("SecretAccessKey").asText(), creds.path("Token").asText())))) {
            assertThat(session.getCallerIdentity().arn()).isEqualTo("arn:aws:sts::123456789012:assumed-role/kind-pods-app/eks-kind-pods-cart-5c");
        }
        JWK ec = apiServer.addEcKey();
        assertThat(agentCall(agent, apiServer.token(ec, "shop", "cart", "cart-5c", "pods.eks.amazonaws.com")).statusCode()).as("ES256").isEqualTo(200);

        assertThat(agentCall(agent, apiServer.token("shop", "cart", "cart-5c", "sts.amazonaws.com")).statusCode())
                .as("an IRSA audience is not a Pod Identity token").isNotEqualTo(200);
        // Signed by another key that claims the published key's kid.
        JWK impostor = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID(apiServer.keys.get(0).getKeyID()).generate();
        HttpResponse<String> forged = agentCall(agent, apiServer.token(impostor, "shop", "cart", "cart-5c", "pods.eks.amazonaws.com"));
        assertThat(forged.statusCode()).as("signed by another key").isEqualTo(400);
        assertThat(forged.body()).contains("(InvalidTokenException)");
        assertThat(agentCall(agent, apiServer.token("shop", "other", "other-1", "pods.eks.amazonaws.com")).statusCode())
                .as("no association for that service account").isNotEqualTo(200);
    }

    @Test
    void registeredClusters_areTheRegisteringAccountsOnly_andNotForEveryCaller() throws Exception {
        assertThat(register(adminEnv(), "--name", "guarded", "--issuer", apiServer.issuer, "--ca-file", caFile.toString())).isZero();
        // A read-only session may describe it but neither register nor deregister one.
        f.iam.createRole(b -> b.roleName("reader").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"sts:AssumeRole\"}]}"));
        f.iam.putRolePolicy(b -> b.roleName("reader").policyName("read").policyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                + "\"Allow\",\"Action\":[\"eks:Describe*\",\"eks:List*\"],\"Resource\":\"*\"}]}"));
        var reader = f.sts.assumeRole(b -> b.roleArn("arn:aws:iam::123456789012:role/reader").roleSessionName("reader")).credentials();
        Map<String, String> readerEnv = new java.util.HashMap<>(adminEnv());
        readerEnv.put("AWS_ACCESS_KEY_ID", reader.accessKeyId());
        readerEnv.put("AWS_SECRET_ACCESS_KEY", reader.secretAccessKey());
        readerEnv.put("AWS_SESSION_TOKEN", reader.sessionToken());
        assertThat(f.eks(reader).describeCluster(b -> b.name("guarded")).cluster().identity().oidc().issuer()).isEqualTo(apiServer.issuer);
        assertThat(register(readerEnv, "--name", "sneaky", "--issuer", apiServer.issuer)).as("AccessDeniedException").isEqualTo(1);
        assertThat(f.eks.listClusters(b -> { }).clusters()).doesNotContain("sneaky");
        // No credentials at all: one line, exit 2.
        assertThat(register(Map.of(), "--name", "anon", "--issuer", apiServer.issuer)).isEqualTo(2);

        // OpenIRSA cannot mint a registered cluster's tokens, and DeleteCluster is not how it goes.
        assertThat(catchThrowableOfType(IllegalStateException.class, () -> f.token("guarded", "shop", "cart")))
                .hasMessageContaining("registered");
        assertThat(catchThrowableOfType(AwsServiceException.class, () -> f.eks.deleteCluster(b -> b.name("guarded")))
                .awsErrorDetails().errorCode()).isEqualTo("InvalidRequestException");

        // Hostile registrations: plain http to a remote host, a URL with a query, a CA file that holds no certificate.
        assertThat(register(adminEnv(), "--name", "bad1", "--issuer", "http://203.0.113.9/issuer")).isEqualTo(1);
        assertThat(register(adminEnv(), "--name", "bad2", "--issuer", apiServer.issuer + "?x=1")).isEqualTo(1);
        Path notPem = Files.writeString(f.data.resolve("not.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThat(register(adminEnv(), "--name", "bad3", "--issuer", apiServer.issuer, "--ca-file", notPem.toString())).isEqualTo(1);
        assertThat(register(adminEnv(), "--name", "bad4", "--issuer", apiServer.issuer, "--ca-file", "/nonexistent.pem")).isEqualTo(2);
        assertThat(f.eks.listClusters(b -> { }).clusters()).noneMatch(n -> n.startsWith("bad"));
        assertThat(register(adminEnv(), "--name", "guarded", "--issuer", apiServer.issuer)).as("ResourceInUseException").isEqualTo(1);
    }

    static HttpResponse<String> agentCall(CredentialAgent agent, String token) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/v1/credentials"))
                .header("Authorization", token).build(), HttpResponse.BodyHandlers.ofString());
    }
}
