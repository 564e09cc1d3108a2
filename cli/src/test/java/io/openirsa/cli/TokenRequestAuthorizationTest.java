package io.openirsa.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Kubernetes' TokenRequest, tried as an attacker would: a session with every read permission AWS
 * hands out (ReadOnlyAccess, ViewOnlyAccess, SecurityAudit, the node policy) must not mint a token
 * for a service account and exchange it for that service account's role; only the account's root or
 * an explicit openirsa:CreateServiceAccountToken grant on the service account may. EKS bearer tokens
 * are checked as aws-iam-authenticator checks them. Every TokenRequest is audited, never its token.
 */
class TokenRequestAuthorizationTest extends ServerTest {
    static final String A = Fixture.ACCOUNT;
    static final String TRUST_ACCOUNT = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + A
            + "\"},\"Action\":\"sts:AssumeRole\"}]}";
    String issuer;
    String adminRole;

    @BeforeAll
    void cluster() {
        issuer = f.createCluster("prod");
        String provider = f.registerProvider(issuer);
        adminRole = f.iam.createRole(b -> b.roleName("cluster-admin").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "kube-system", "admin")))
                .role().arn();
        f.iam.attachRolePolicy(b -> b.roleName("cluster-admin").policyArn("arn:aws:iam::aws:policy/AdministratorAccess"));
    }

    Credentials sessionWith(String role, String... managedPolicies) {
        f.iam.createRole(b -> b.roleName(role).assumeRolePolicyDocument(TRUST_ACCOUNT));
        for (String p : managedPolicies) {
            f.iam.attachRolePolicy(b -> b.roleName(role).policyArn("arn:aws:iam::aws:policy/" + p));
        }
        return f.sts.assumeRole(b -> b.roleArn("arn:aws:iam::" + A + ":role/" + role).roleSessionName("attacker")).credentials();
    }

    String token(Credentials c, String namespace, String serviceAccount) throws Exception {
        return TokenCommand.request(new RemoteServer(f.server.endpoint(), c.accessKeyId(), c.secretAccessKey(), c.sessionToken(), "us-east-1"),
                "prod", namespace, serviceAccount, List.of("sts.amazonaws.com"), null);
    }

    @Test
    void readOnlySessions_cannotMintTokens_norBecomeTheClusterAdministrator() throws Exception {
        Credentials reader = sessionWith("reader", "ReadOnlyAccess", "job-function/ViewOnlyAccess", "SecurityAudit", "AmazonEKSWorkerNodePolicy");
        // The same session can describe the cluster: that alone was what TokenRequest asked for.
        try (var eks = f.eks(reader)) {
            assertThat(eks.describeCluster(b -> b.name("prod")).cluster().name()).isEqualTo("prod");
        }
        IllegalStateException refused = catchThrowableOfType(IllegalStateException.class, () -> token(reader, "kube-system", "admin"));
        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).startsWith("token request failed (403): User: arn:aws:sts::" + A
                + ":assumed-role/reader/attacker is not authorized to perform: openirsa:CreateServiceAccountToken on resource: arn:aws:eks:us-east-1:"
                + A + ":serviceaccount/prod/kube-system/admin");
    }

    @Test
    void anExplicitGrant_allowsItsServiceAccountsOnly() throws Exception {
        Credentials ci = sessionWith("ci");
        f.iam.putRolePolicy(b -> b.roleName("ci").policyName("tokens").policyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"openirsa:CreateServiceAccountToken\","
                        + "\"Resource\":\"arn:aws:eks:us-east-1:" + A + ":serviceaccount/prod/ci/*\"}]}"));
        String token = token(ci, "ci", "runner");
        assertThat(token).startsWith("eyJ");
        assertThat(catchThrowableOfType(IllegalStateException.class, () -> token(ci, "kube-system", "admin"))).hasMessageStartingWith("token request failed (403)");
        // The administrator's token still works, as before.
        String admin = f.token("prod", "kube-system", "admin");
        assertThat(f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(adminRole).roleSessionName("admin").webIdentityToken(admin))
                .assumedRoleUser().arn()).endsWith(":assumed-role/cluster-admin/admin");
    }

    @Test
    void everyTokenRequest_isAudited_withoutItsToken() throws Exception {
        Credentials snoop = sessionWith("snoop", "job-function/ViewOnlyAccess");
        catchThrowableOfType(IllegalStateException.class, () -> token(snoop, "kube-system", "admin"));
        String token = f.token("prod", "default", "audited");
        try (CloudTrailClient trail = f.cloudTrail()) {
            var events = trail.lookupEvents(b -> b.lookupAttributes(a -> a.attributeKey(LookupAttributeKey.EVENT_NAME)
                    .attributeValue("CreateServiceAccountToken"))).events();
            assertThat(events).extracting(e -> e.cloudTrailEvent()).anySatisfy(e -> assertThat(e)
                    .contains("\"errorCode\":\"AccessDenied\"").contains("assumed-role/snoop/attacker").contains("\"namespace\":\"kube-system\""));
            assertThat(events).extracting(e -> e.cloudTrailEvent()).anySatisfy(e -> assertThat(e)
                    .contains("\"serviceAccount\":\"audited\"").contains("\"audiences\":[\"sts.amazonaws.com\"]").contains("expirationTimestamp"));
            assertThat(events).extracting(e -> e.cloudTrailEvent()).noneSatisfy(e -> assertThat(e).contains(token.substring(token.lastIndexOf('.') + 1)));
        }
    }

    /** A bearer token built by hand around a presigned URL, as `aws eks get-token` would, but with a query of the test's choosing. */
    int tokenRequestWithBearer(String presignedUrl) throws Exception {
        String bearer = "k8s-aws-v1." + Base64.getUrlEncoder().withoutPadding().encodeToString(presignedUrl.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(f.server.endpoint()
                        + "/clusters/prod/api/v1/namespaces/default/serviceaccounts/app/token"))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"spec\":{\"audiences\":[\"sts.amazonaws.com\"]}}")).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }

    @Test
    void bearerTokens_areCheckedAsAwsIamAuthenticatorChecksThem() throws Exception {
        var admin = new RemoteServer(f.server.endpoint(), f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey(), null, "us-east-1");
        assertThat(tokenRequestWithBearer(TokenCommand.presignedCallerIdentity(f.server.endpoint(), admin, "prod"))).isEqualTo(201);
        // The x-k8s-aws-id header must be signed: a URL without it is refused even when its signature is good.
        assertThat(tokenRequestWithBearer(TokenCommand.presignedCallerIdentity(f.server.endpoint(), admin, "prod")
                .replace("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id", "X-Amz-SignedHeaders=host"))).isEqualTo(401);
        // The action must be exactly GetCallerIdentity: no substring of another parameter.
        assertThat(tokenRequestWithBearer(TokenCommand.presignedCallerIdentity(f.server.endpoint(), admin, "prod")
                .replace("Action=GetCallerIdentity", "Action=AssumeRole&X=Action%3DGetCallerIdentity"))).isEqualTo(401);
        // Valid 15 minutes after X-Amz-Date whatever X-Amz-Expires says (60 here), and not a minute more.
        String url = TokenCommand.presignedCallerIdentity(f.server.endpoint(), admin, "prod");
        f.clock.advance(java.time.Duration.ofMinutes(14));
        assertThat(tokenRequestWithBearer(url)).isEqualTo(201);
        f.clock.advance(java.time.Duration.ofMinutes(2));
        assertThat(tokenRequestWithBearer(url)).isEqualTo(401);
    }

    @Test
    void aBearerTokenAskingForALongerLife_isRefused() throws Exception {
        var admin = new RemoteServer(f.server.endpoint(), f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey(), null, "us-east-1");
        // A week-long X-Amz-Expires (SigV4's maximum) must not make a bearer token good for a week.
        String week = TokenCommand.presignedCallerIdentity(f.server.endpoint(), admin, "prod").replace("X-Amz-Expires=60", "X-Amz-Expires=604800");
        assertThat(tokenRequestWithBearer(week)).isEqualTo(401);
    }

    @Test
    void noCredentials_getKubernetesUnauthorized() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(f.server.endpoint()
                        + "/clusters/prod/api/v1/namespaces/kube-system/serviceaccounts/admin/token"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("\"reason\":\"Unauthorized\"").doesNotContain("eyJ");
    }

    @Test
    void aSessionWithoutIamPassRole_cannotAssociateAnAdministratorRole() {
        f.iam.createRole(b -> b.roleName("pod-admin").assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"pods.eks.amazonaws.com\"},"
                        + "\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"]}]}"));
        f.iam.attachRolePolicy(b -> b.roleName("pod-admin").policyArn("arn:aws:iam::aws:policy/AdministratorAccess"));
        Credentials eksOnly = sessionWith("eks-operator");
        f.iam.putRolePolicy(b -> b.roleName("eks-operator").policyName("eks").policyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"eks:*\",\"Resource\":\"*\"}]}"));
        try (var eks = f.eks(eksOnly)) {
            String roleArn = "arn:aws:iam::" + A + ":role/pod-admin";
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, () -> eks.createPodIdentityAssociation(b -> b.clusterName("prod")
                    .namespace("default").serviceAccount("mine").roleArn(roleArn)));
            assertThat(e).isNotNull();
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorMessage()).contains("iam:PassRole").contains(roleArn);
            // Update is the same hole: an existing association pointed at the administrator role.
            String id = f.eks.createPodIdentityAssociation(b -> b.clusterName("prod").namespace("default").serviceAccount("harmless")
                    .roleArn("arn:aws:iam::" + A + ":role/cluster-admin")).association().associationId();
            AwsServiceException u = catchThrowableOfType(AwsServiceException.class, () -> eks.updatePodIdentityAssociation(b -> b.clusterName("prod")
                    .associationId(id).roleArn(roleArn)));
            assertThat(u).isNotNull();
            assertThat(u.awsErrorDetails().errorMessage()).contains("iam:PassRole");
            assertThat(f.eks.describePodIdentityAssociation(b -> b.clusterName("prod").associationId(id)).association().roleArn())
                    .endsWith(":role/cluster-admin");
            // With iam:PassRole for pods.eks.amazonaws.com, the same call goes through.
            f.iam.putRolePolicy(b -> b.roleName("eks-operator").policyName("pass").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"" + roleArn + "\","
                            + "\"Condition\":{\"StringEquals\":{\"iam:PassedToService\":\"pods.eks.amazonaws.com\"}}}]}"));
            assertThat(eks.createPodIdentityAssociation(b -> b.clusterName("prod").namespace("default").serviceAccount("mine").roleArn(roleArn))
                    .association().roleArn()).isEqualTo(roleArn);
        }
    }
}
