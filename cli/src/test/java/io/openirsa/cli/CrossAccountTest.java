package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The IRSA guide's cross-account pattern with the AWS SDK for Java v2: a pod's web identity into
 * account A, then AssumeRole into account B; and each refusal on the way, as AWS refuses it.
 */
class CrossAccountTest extends ServerTest {
    static final String A = "123456789012";
    static final String B = "210987654321";
    IamClient iamB;
    String podRole;
    String target;
    String guarded;

    @BeforeAll
    void setUp() throws Exception {
        JsonNode b = AccountCommand.Create.create(new RemoteServer(f.server.endpoint(), f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey(), null, "us-east-1"), B);
        assertThat(b.path("accountId").asText()).isEqualTo(B);
        iamB = IamClient.builder().endpointOverride(f.endpoint()).region(Region.AWS_GLOBAL).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(b.path("accessKeyId").asText(),
                        b.path("secretAccessKey").asText()))).build();

        String issuer = f.createCluster("cross");
        String provider = f.registerProvider(issuer);
        podRole = f.iam.createRole(r -> r.roleName("pod-role").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "app")))
                .role().arn();
        f.iam.putRolePolicy(r -> r.roleName("pod-role").policyName("hop").policyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::" + B + ":role/*\"}]}"));

        target = iamB.createRole(r -> r.roleName("target").maxSessionDuration(43200).assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + podRole + "\"},\"Action\":\"sts:AssumeRole\"}]}"))
                .role().arn();
        iamB.attachRolePolicy(r -> r.roleName("target").policyArn("arn:aws:iam::aws:policy/IAMReadOnlyAccess"));
        guarded = iamB.createRole(r -> r.roleName("guarded").assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + A + "\"},\"Action\":\"sts:AssumeRole\","
                        + "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"partner-7f3a\"}}}]}")).role().arn();
    }

    Credentials podCredentials() throws Exception {
        String token = f.token("cross", "default", "app");
        return f.anonymousSts.assumeRoleWithWebIdentity(r -> r.roleArn(podRole).roleSessionName("pod").webIdentityToken(token)).credentials();
    }

    AssumeRoleResponse hop(Credentials from, Consumer<software.amazon.awssdk.services.sts.model.AssumeRoleRequest.Builder> request) {
        try (StsClient sts = f.sts(from)) {
            return sts.assumeRole(request);
        }
    }

    AwsServiceException refused(Credentials from, Consumer<software.amazon.awssdk.services.sts.model.AssumeRoleRequest.Builder> request) {
        return catchThrowableOfType(AwsServiceException.class, () -> hop(from, request));
    }

    @Test
    void webIdentityIntoA_thenAssumeRoleIntoB() throws Exception {
        AssumeRoleResponse r = hop(podCredentials(), b -> b.roleArn(target).roleSessionName("hop"));
        assertThat(r.assumedRoleUser().arn()).isEqualTo("arn:aws:sts::" + B + ":assumed-role/target/hop");
        try (StsClient sts = f.sts(r.credentials())) {
            var me = sts.getCallerIdentity();
            assertThat(me.arn()).isEqualTo("arn:aws:sts::" + B + ":assumed-role/target/hop");
            assertThat(me.account()).isEqualTo(B);
        }
        try (IamClient asTarget = f.iam(r.credentials())) {
            assertThat(asTarget.getRole(x -> x.roleName("target")).role().arn()).isEqualTo(target); // IAMReadOnlyAccess in B
        }
    }

    @Test
    void roleChaining_isLimitedToOneHour() throws Exception {
        AwsServiceException e = refused(podCredentials(), b -> b.roleArn(target).roleSessionName("long").durationSeconds(7200));
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        assertThat(hop(podCredentials(), b -> b.roleArn(target).roleSessionName("hour").durationSeconds(3600)).credentials()).isNotNull();
    }

    @Test
    void withoutAnIdentityPolicyAllow_crossAccountIsDenied() throws Exception {
        Credentials pod = podCredentials();
        f.iam.deleteRolePolicy(r -> r.roleName("pod-role").policyName("hop"));
        try {
            AwsServiceException e = refused(pod, b -> b.roleArn(target).roleSessionName("no-allow"));
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
            assertThat(e.awsErrorDetails().errorMessage()).startsWith("User: arn:aws:sts::" + A + ":assumed-role/pod-role/pod is not authorized to perform: "
                    + "sts:AssumeRole on resource: " + target);
        } finally {
            f.iam.putRolePolicy(r -> r.roleName("pod-role").policyName("hop").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::" + B + ":role/*\"}]}"));
        }
    }

    @Test
    void externalId_mustMatch() throws Exception {
        Credentials pod = podCredentials();
        AwsServiceException wrong = refused(pod, b -> b.roleArn(guarded).roleSessionName("x1").externalId("guess"));
        assertThat(wrong.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
        assertThat(wrong.awsErrorDetails().errorMessage()).isEqualTo("User: arn:aws:sts::" + A + ":assumed-role/pod-role/pod is not authorized to perform: "
                + "sts:AssumeRole on resource: " + guarded);
        assertThat(refused(pod, b -> b.roleArn(guarded).roleSessionName("x2")).awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
        assertThat(hop(pod, b -> b.roleArn(guarded).roleSessionName("x3").externalId("partner-7f3a")).assumedRoleUser().arn())
                .endsWith(":assumed-role/guarded/x3");
    }

    @Test
    void aSessionPolicy_narrowsWhatTheRoleAllows() throws Exception {
        AssumeRoleResponse narrowed = hop(podCredentials(), b -> b.roleArn(target).roleSessionName("narrow").policy(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:ListRoles\",\"Resource\":\"*\"}]}"));
        assertThat(narrowed.packedPolicySize()).isBetween(1, 100);
        try (IamClient session = f.iam(narrowed.credentials())) {
            assertThat(session.listRoles().roles()).extracting(x -> x.roleName()).contains("target");
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, () -> session.getRole(x -> x.roleName("target")));
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorMessage()).startsWith("User: arn:aws:sts::" + B + ":assumed-role/target/narrow is not authorized to perform: iam:GetRole");
        }
        // A session policy never grants more than the role has.
        AssumeRoleResponse wide = hop(podCredentials(), b -> b.roleArn(target).roleSessionName("wide").policy(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"));
        try (IamClient session = f.iam(wide.credentials())) {
            assertThat(catchThrowableOfType(AwsServiceException.class, () -> session.createRole(x -> x.roleName("nope")
                    .assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + A
                            + "\"},\"Action\":\"sts:AssumeRole\"}]}"))).awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
        }
        AwsServiceException malformed = refused(podCredentials(), b -> b.roleArn(target).roleSessionName("bad").policy("{\"Statement\":[]}"));
        assertThat(malformed.awsErrorDetails().errorCode()).isEqualTo("MalformedPolicyDocument");
    }

    @Test
    void accountsAreSeparate_andOnlyTheServerAdministratorCreatesThem() throws Exception {
        assertThat(catchThrowableOfType(AwsServiceException.class, () -> iamB.getRole(x -> x.roleName("pod-role"))).statusCode()).isEqualTo(404);
        Credentials pod = podCredentials();
        IllegalStateException e = catchThrowableOfType(IllegalStateException.class, () -> AccountCommand.Create.create(new RemoteServer(f.server.endpoint(), pod.accessKeyId(), pod.secretAccessKey(), pod.sessionToken(), "us-east-1"), "333333333333"));
        assertThat(e).hasMessageContaining("403").hasMessageContaining("AccessDenied");
        IllegalStateException dup = catchThrowableOfType(IllegalStateException.class, () -> AccountCommand.Create.create(new RemoteServer(f.server.endpoint(), f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey(), null, "us-east-1"), B));
        assertThat(dup).hasMessageContaining("409");
    }
}
