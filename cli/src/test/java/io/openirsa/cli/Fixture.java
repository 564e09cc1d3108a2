package io.openirsa.cli;

import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A running server on a free loopback port, with unmodified AWS SDK clients pointed at it, and the
 * setup of the EKS IRSA walkthrough: a cluster, its issuer registered as an OIDC provider, a role
 * that trusts one service account.
 */
final class Fixture implements AutoCloseable {
    static final String ACCOUNT = "123456789012";
    final TestClock clock = new TestClock();
    final Path data;
    final RunningServer server;
    final IamClient iam;
    final StsClient sts;
    final StsClient anonymousSts;
    final EksClient eks;

    Fixture() throws Exception {
        this(o -> o);
    }

    /** A server whose options are the test defaults as changed by {@code options} (a database, say). */
    Fixture(java.util.function.UnaryOperator<RunningServer.Options> options) throws Exception {
        data = Files.createTempDirectory("openirsa-test");
        server = RunningServer.start(options.apply(RunningServer.Options.local(data, clock)));
        AwsCredentialsProvider admin = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(server.adminKey().accessKeyId(), server.adminKey().secretAccessKey()));
        iam = IamClient.builder().endpointOverride(endpoint()).region(Region.AWS_GLOBAL).credentialsProvider(admin)
                .httpClient(UrlConnectionHttpClient.create()).build();
        sts = sts(admin);
        anonymousSts = sts(AnonymousCredentialsProvider.create());
        eks = EksClient.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).credentialsProvider(admin)
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    URI endpoint() {
        return URI.create(server.endpoint());
    }

    StsClient sts(AwsCredentialsProvider credentials) {
        return StsClient.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    StsClient sts(Credentials c) {
        return sts(StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken())));
    }

    IamClient iam(Credentials c) {
        return IamClient.builder().endpointOverride(endpoint()).region(Region.AWS_GLOBAL)
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken())))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** CloudTrail as the administrator. */
    software.amazon.awssdk.services.cloudtrail.CloudTrailClient cloudTrail() {
        return software.amazon.awssdk.services.cloudtrail.CloudTrailClient.builder().endpointOverride(endpoint()).region(Region.US_EAST_1)
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.adminKey().accessKeyId(), server.adminKey().secretAccessKey()))).build();
    }

    /** EKS as a role session. */
    EksClient eks(Credentials c) {
        return EksClient.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken())))
                .build();
    }

    /** A cluster; returns its issuer URL. */
    String createCluster(String name) {
        eks.createCluster(b -> b.name(name).roleArn("arn:aws:iam::" + ACCOUNT + ":role/eks-cluster")
                .resourcesVpcConfig(v -> v.subnetIds("subnet-0a1b2c3d")));
        return eks.describeCluster(b -> b.name(name)).cluster().identity().oidc().issuer();
    }

    /** Registers an issuer as an OIDC provider with the sts.amazonaws.com audience; returns the provider ARN. */
    String registerProvider(String issuer) {
        return iam.createOpenIDConnectProvider(b -> b.url(issuer).clientIDList("sts.amazonaws.com")).openIDConnectProviderArn();
    }

    /** The trust policy of the EKS guide: this provider, this service account, audience sts.amazonaws.com. */
    static String trustPolicy(String providerArn, String issuer, String namespace, String serviceAccount) {
        String hostPath = issuer.substring(issuer.indexOf("://") + 3);
        return """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"%s"},
                 "Action":"sts:AssumeRoleWithWebIdentity",
                 "Condition":{"StringEquals":{"%s:sub":"system:serviceaccount:%s:%s","%s:aud":"sts.amazonaws.com"}}}]}"""
                .formatted(providerArn, hostPath, namespace, serviceAccount, hostPath);
    }

    /** A projected token from a cluster's issuer, through the TokenRequest endpoint, as `bin/irsa token` gets it. */
    String token(String cluster, String namespace, String serviceAccount, List<String> audiences, Long seconds) throws Exception {
        return TokenCommand.request(new RemoteServer(server.endpoint(), server.adminKey().accessKeyId(),
                server.adminKey().secretAccessKey(), null, "us-east-1"), cluster, namespace, serviceAccount, audiences, seconds);
    }

    String token(String cluster, String namespace, String serviceAccount) throws Exception {
        return token(cluster, namespace, serviceAccount, List.of("sts.amazonaws.com"), null);
    }

    @Override
    public void close() {
        iam.close();
        sts.close();
        anonymousSts.close();
        eks.close();
        server.close();
    }
}
