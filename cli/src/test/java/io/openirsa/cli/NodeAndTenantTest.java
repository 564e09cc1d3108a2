package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.openirsa.cli.agent.CredentialAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Two attackers the other security tests do not play. A node's session (AmazonEKSWorkerNodePolicy,
 * which grants eks-auth:AssumeRoleForPodIdentity) gets the credentials of pods it presents tokens
 * of, and nothing else: no token minting, no association, no role it was not given, no pod of
 * another cluster. Another tenant of the same server (account B) reaches nothing of account A.
 */
class NodeAndTenantTest extends ServerTest {
    static final String A = Fixture.ACCOUNT;
    static final String B = "210987654321";
    Credentials node;
    CredentialAgent agent;
    IamClient iamB;
    StsClient stsB;
    EksClient eksB;
    String appRole;

    @BeforeAll
    void setUp() throws Exception {
        appRole = f.iam.createRole(b -> b.roleName("node-app").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"Service\":\"pods.eks.amazonaws.com\"},\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"]}]}")).role().arn();
        f.iam.attachRolePolicy(b -> b.roleName("node-app").policyArn("arn:aws:iam::aws:policy/AdministratorAccess"));
        for (String cluster : List.of("node-a", "node-b")) {
            f.createCluster(cluster);
            f.eks.createPodIdentityAssociation(b -> b.clusterName(cluster).namespace("shop").serviceAccount("cart").roleArn(appRole));
        }
        f.iam.createRole(b -> b.roleName("node").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"" + A + "\"},\"Action\":\"sts:AssumeRole\"}]}"));
        f.iam.attachRolePolicy(b -> b.roleName("node").policyArn("arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"));
        node = f.sts.assumeRole(b -> b.roleArn("arn:aws:iam::" + A + ":role/node").roleSessionName("i-0123456789")).credentials();
        agent = new CredentialAgent(URI.create(f.server.endpoint()), "node-a", "us-east-1",
                new CredentialAgent.NodeCredentials(node.accessKeyId(), node.secretAccessKey(), node.sessionToken()), "127.0.0.1", 0, Clock.systemUTC());

        JsonNode b = AccountCommand.Create.create(new RemoteServer(f.server.endpoint(), f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey(), null, "us-east-1"), B);
        var tenant = StaticCredentialsProvider.create(AwsBasicCredentials.create(b.path("accessKeyId").asText(), b.path("secretAccessKey").asText()));
        iamB = IamClient.builder().endpointOverride(f.endpoint()).region(Region.AWS_GLOBAL).credentialsProvider(tenant)
                .httpClient(UrlConnectionHttpClient.create()).build();
        stsB = f.sts(tenant);
        eksB = EksClient.builder().endpointOverride(f.endpoint()).region(Region.US_EAST_1).credentialsProvider(tenant)
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    void close() {
        agent.close();
        iamB.close();
        stsB.close();
        eksB.close();
    }

    HttpResponse<String> credentialsFor(String podToken) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/v1/credentials"))
                .header("Authorization", podToken).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aNode_getsTheCredentialsOfItsClustersPods_only() throws Exception {
        HttpResponse<String> own = credentialsFor(f.token("node-a", "shop", "cart", List.of("pods.eks.amazonaws.com"), null));
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        assertThat(own.body()).contains("AccessKeyId");
        HttpResponse<String> other = credentialsFor(f.token("node-b", "shop", "cart", List.of("pods.eks.amazonaws.com"), null));
        assertThat(other.statusCode()).as("a token of another cluster").isBetween(400, 499);
        assertThat(other.body()).doesNotContain("SecretAccessKey");
        HttpResponse<String> sts = credentialsFor(f.token("node-a", "shop", "cart", List.of("sts.amazonaws.com"), null));
        assertThat(sts.statusCode()).as("a token for another audience").isBetween(400, 499);
    }

    @Test
    void aNode_cannotMintTokens_associateRoles_norAssumeThePodsRole() {
        IllegalStateException mint = catchThrowableOfType(IllegalStateException.class, () -> TokenCommand.request(new RemoteServer(
                f.server.endpoint(), node.accessKeyId(), node.secretAccessKey(), node.sessionToken(), "us-east-1"), "node-a", "shop", "cart",
                List.of("pods.eks.amazonaws.com"), null));
        assertThat(mint).hasMessageStartingWith("token request failed (403)");
        try (EksClient eks = f.eks(node)) {
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, () -> eks.createPodIdentityAssociation(b -> b.clusterName("node-a")
                    .namespace("kube-system").serviceAccount("x").roleArn(appRole)));
            assertThat(e.statusCode()).isEqualTo(403);
        }
        try (StsClient sts = f.sts(node)) {
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, () -> sts.assumeRole(b -> b.roleArn(appRole).roleSessionName("hop")));
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
        }
    }

    @Test
    void anotherTenant_reachesNothingOfThisAccount() throws Exception {
        // Roles, clusters, associations and the trail of A are not B's to read, use or pass.
        assertThat(catchThrowableOfType(AwsServiceException.class, () -> iamB.getRole(b -> b.roleName("node-app"))).statusCode()).isEqualTo(404);
        assertThat(eksB.listClusters().clusters()).doesNotContain("node-a");
        assertThat(catchThrowableOfType(AwsServiceException.class, () -> eksB.describeCluster(b -> b.name("node-a"))).statusCode()).isEqualTo(404);
        assertThat(catchThrowableOfType(AwsServiceException.class, () -> stsB.assumeRole(b -> b.roleArn(appRole).roleSessionName("tenant-b")))
                .awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
        var b = stsB.getCallerIdentity();
        assertThat(b.account()).isEqualTo(B);
        IllegalStateException mint = catchThrowableOfType(IllegalStateException.class, () -> TokenCommand.request(new RemoteServer(
                f.server.endpoint(), iamB.serviceClientConfiguration().credentialsProvider().resolveIdentity().join().accessKeyId(),
                iamB.serviceClientConfiguration().credentialsProvider().resolveIdentity().join().secretAccessKey(), null, "us-east-1"),
                "node-a", "shop", "cart", List.of("pods.eks.amazonaws.com"), null));
        assertThat(mint).hasMessageStartingWith("token request failed (404)");
        eksB.createCluster(x -> x.name("tenant-b").roleArn("arn:aws:iam::" + B + ":role/eks").resourcesVpcConfig(v -> v.subnetIds("subnet-1")));
        AwsServiceException pass = catchThrowableOfType(AwsServiceException.class, () -> eksB.createPodIdentityAssociation(x -> x.clusterName("tenant-b")
                .namespace("shop").serviceAccount("cart").roleArn(appRole)));
        assertThat(pass).as("B associating A's role").isNotNull();
        assertThat(pass.statusCode()).isBetween(400, 499);
        try (CloudTrailClient trail = CloudTrailClient.builder().endpointOverride(f.endpoint()).region(Region.US_EAST_1)
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(iamB.serviceClientConfiguration().credentialsProvider()).build()) {
            assertThat(trail.lookupEvents(x -> x.maxResults(50)).events()).allSatisfy(e -> assertThat(e.cloudTrailEvent())
                    .contains("\"recipientAccountId\":\"" + B + "\"").doesNotContain("i-0123456789").doesNotContain("\"accountId\":\"" + A + "\""));
        }
    }
}
