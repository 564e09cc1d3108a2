package io.openirsa.cli;

import io.openirsa.cli.agent.CredentialAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * EKS Pod Identity end to end: the node agent on loopback, and the AWS SDK for Java v2's default
 * credential chain pointed at it the way the webhook points a pod (the container credentials URI
 * and the token file), getting the associated role with its session tags, from two clusters.
 */
class PodIdentityAgentTest extends ServerTest {
    static final String ROLE = "arn:aws:iam::123456789012:role/agent-app";
    final List<CredentialAgent> agents = new ArrayList<>();

    @BeforeAll
    void setUp() {
        f.iam.createRole(b -> b.roleName("agent-app").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"Service\":\"pods.eks.amazonaws.com\"},\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"]}]}"));
        // A permission that holds only for sessions tagged by Pod Identity for shop/cart: proof that the tags arrive.
        f.iam.putRolePolicy(b -> b.roleName("agent-app").policyName("by-session-tags").policyDocument("{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:GetRole\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
                + "{\"aws:PrincipalTag/kubernetes-namespace\":\"shop\",\"aws:PrincipalTag/kubernetes-service-account\":\"cart\"}}}]}"));
        for (String cluster : List.of("agent-east", "agent-west")) {
            f.createCluster(cluster);
            f.eks.createPodIdentityAssociation(b -> b.clusterName(cluster).namespace("shop").serviceAccount("cart").roleArn(ROLE));
        }
    }

    @AfterEach
    void stopAgents() {
        agents.forEach(CredentialAgent::close);
        agents.clear();
        for (String p : List.of("aws.containerCredentialsFullUri", "aws.containerAuthorizationTokenFile", "aws.sharedCredentialsFile", "aws.configFile")) {
            System.clearProperty(p);
        }
    }

    CredentialAgent agent(String cluster) {
        CredentialAgent a = new CredentialAgent(URI.create(f.server.endpoint()), cluster, "us-east-1", new CredentialAgent.NodeCredentials(
                f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey(), null), "127.0.0.1", 0, Clock.systemUTC());
        agents.add(a);
        return a;
    }

    Path tokenFile(String cluster) throws Exception {
        Path file = Files.createTempFile("eks-pod-identity-token", "");
        Files.writeString(file, f.token(cluster, "shop", "cart", List.of("pods.eks.amazonaws.com"), null));
        return file;
    }

    @Test
    void theSdksDefaultChain_getsTheAssociatedRole_withSessionTags_fromTwoClusters() throws Exception {
        // No other source of credentials for the default chain to find first.
        System.setProperty("aws.sharedCredentialsFile", f.data.resolve("no-credentials").toString());
        System.setProperty("aws.configFile", f.data.resolve("no-config").toString());
        for (String cluster : List.of("agent-east", "agent-west")) {
            CredentialAgent agent = agent(cluster);
            System.setProperty("aws.containerCredentialsFullUri", "http://127.0.0.1:" + agent.port() + "/v1/credentials");
            System.setProperty("aws.containerAuthorizationTokenFile", tokenFile(cluster).toString());
            try (DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
                 StsClient sts = StsClient.builder().endpointOverride(f.endpoint()).region(Region.US_EAST_1).credentialsProvider(chain)
                         .httpClient(UrlConnectionHttpClient.create()).build();
                 IamClient iam = IamClient.builder().endpointOverride(f.endpoint()).region(Region.AWS_GLOBAL).credentialsProvider(chain)
                         .httpClient(UrlConnectionHttpClient.create()).build()) {
                assertThat(sts.getCallerIdentity().arn()).isEqualTo("arn:aws:sts::123456789012:assumed-role/agent-app/eks-" + cluster + "-cart");
                assertThat(iam.getRole(b -> b.roleName("agent-app")).role().arn()).as("allowed only by the session tags").isEqualTo(ROLE);
            }
            assertThat(agent.upstreamCalls()).isEqualTo(1);
        }
        try (var cloudTrail = f.cloudTrail()) {
            var record = new com.fasterxml.jackson.databind.ObjectMapper().readTree(cloudTrail.lookupEvents(b -> b.maxResults(1).lookupAttributes(
                    a -> a.attributeKey("EventName").attributeValue("AssumeRoleForPodIdentity"))).events().getFirst().cloudTrailEvent());
            assertThat(record.path("additionalEventData").path("allowedBy").asText()).as("the trust policy's statement that allowed it")
                    .isEqualTo("Statement[0]");
        }
    }

    @Test
    void theWebhook_followsTheAssociationsInTheEksApi() throws Exception {
        String id = f.eks.createPodIdentityAssociation(b -> b.clusterName("agent-east").namespace("shop").serviceAccount("later")
                .roleArn(ROLE)).association().associationId();
        try (var associations = new io.openirsa.webhook.EksPodIdentityAssociations(f.eks, "agent-east", java.time.Duration.ofMillis(100))) {
            assertThat(associations.associated("shop", "cart")).isTrue();
            assertThat(associations.associated("shop", "later")).isTrue();
            assertThat(associations.associated("shop", "nobody")).isFalse();
            // A pod of an associated service account gets Pod Identity from the webhook, not IRSA.
            var mutator = new io.openirsa.webhook.PodMutator(io.openirsa.webhook.WebhookSettings.defaults(), new io.openirsa.webhook.ServiceAccounts() { // no IRSA settings anywhere: only the association can mutate
                        @Override
                        public java.util.Optional<io.openirsa.webhook.ServiceAccountSettings> find(String namespace, String name) {
                            return java.util.Optional.empty();
                        }

                        @Override
                        public boolean ready() {
                            return true;
                        }
                    },
                    associations, "http://169.254.170.23/v1/credentials");
            var pod = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"serviceAccountName\":\"cart\",\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}");
            var mutation = mutator.mutate(pod, "shop");
            assertThat(mutation.outcome()).isEqualTo("mutated-pod-identity");
            assertThat(mutation.patch().toString()).contains("AWS_CONTAINER_CREDENTIALS_FULL_URI", "pods.eks.amazonaws.com").doesNotContain("AWS_ROLE_ARN");

            f.eks.deletePodIdentityAssociation(b -> b.clusterName("agent-east").associationId(id));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (associations.associated("shop", "later") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(associations.associated("shop", "later")).as("gone after a refresh").isFalse();
            assertThat(associations.associated("shop", "cart")).isTrue();
        }
    }

    @Test
    void manyCallsWithOneToken_makeOneUpstreamCall() throws Exception {
        CredentialAgent agent = agent("agent-east");
        String token = Files.readString(tokenFile("agent-east"));
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/v1/credentials"))
                .header("Authorization", token).build();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 50; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return http.send(request, HttpResponse.BodyHandlers.ofString());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            for (var call : calls) {
                HttpResponse<String> r = call.get();
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("\"AccessKeyId\":\"ASIA", "\"AccountId\":\"123456789012\"", "\"Expiration\":");
            }
        }
        assertThat(agent.upstreamCalls()).as("50 concurrent calls with one token").isEqualTo(1);
        // Another token (another pod) is another call.
        http.send(HttpRequest.newBuilder(request.uri()).header("Authorization", Files.readString(tokenFile("agent-east"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(agent.upstreamCalls()).isEqualTo(2);
    }

    @Test
    void hostileOrWrongCalls_areRefused_andErrorsPassThrough() throws Exception {
        CredentialAgent agent = agent("agent-east");
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + agent.port() + "/v1/credentials");
        String token = Files.readString(tokenFile("agent-east"));
        // As EKS's agent, only the address it listens on: a request for another name (DNS rebinding, a proxy) gets nothing.
        HttpResponse<String> byName = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + agent.port() + "/v1/credentials"))
                .header("Authorization", token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(byName.statusCode()).isEqualTo(403);
        assertThat(byName.body()).isEqualTo("Called agent through invalid address");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", agent.port())) {
            s.getOutputStream().write(("GET /v1/credentials HTTP/1.1\r\nHost: evil.example.com\r\nAuthorization: " + token
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            s.setSoTimeout(10_000);
            // Headers and the (short) body arrive together; the connection may stay open, so read what came, not to the end.
            byte[] buffer = new byte[8192];
            int n = s.getInputStream().read(buffer);
            String answer = new String(buffer, 0, Math.max(n, 0), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 403").doesNotContain("AccessKeyId");
        }
        assertThat(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).as("no token").isEqualTo(400);
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(uri).header("Authorization", token.substring(0, token.length() - 3) + "AAA").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.body()).matches("\\[[0-9a-f-]{36}\\]: \\(InvalidTokenException\\): .+, fault: client").doesNotContain("AccessKeyId");
        // An expired token never reaches eks-auth (the agent checks times, not signatures).
        String[] parts = token.split("\\.");
        String expiredClaims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(java.util.Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8)
                        .replaceFirst("\"exp\":\\d+", "\"exp\":1000").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long before = agent.upstreamCalls();
        HttpResponse<String> expired = http.send(HttpRequest.newBuilder(uri).header("Authorization", parts[0] + "." + expiredClaims + "." + parts[2]).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(expired.statusCode()).isEqualTo(400);
        assertThat(expired.body()).isEqualTo("the token has expired");
        assertThat(agent.upstreamCalls()).isEqualTo(before);
        String noAssociation = f.token("agent-east", "shop", "nobody", List.of("pods.eks.amazonaws.com"), null);
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(uri).header("Authorization", noAssociation).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("ResourceNotFoundException");
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/other")).header("Authorization", token).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }
}
