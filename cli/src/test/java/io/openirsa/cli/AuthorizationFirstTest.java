package io.openirsa.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.model.Credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A caller without a permission learns nothing from what it sends: AccessDenied comes before
 * MalformedPolicyDocument, NoSuchEntity or ResourceNotFound, as on AWS; only parameter constraints
 * (ValidationError) come first. Tried with a read-only session.
 */
class AuthorizationFirstTest extends ServerTest {
    Credentials reader;

    @BeforeAll
    void session() {
        f.iam.createRole(b -> b.roleName("lister").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"" + Fixture.ACCOUNT + "\"},\"Action\":\"sts:AssumeRole\"}]}"));
        f.iam.putRolePolicy(b -> b.roleName("lister").policyName("list").policyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:ListRoles\",\"Resource\":\"*\"}]}"));
        reader = f.sts.assumeRole(b -> b.roleArn("arn:aws:iam::" + Fixture.ACCOUNT + ":role/lister").roleSessionName("reader")).credentials();
    }

    static AwsServiceException refused(Runnable call) {
        AwsServiceException e = catchThrowableOfType(AwsServiceException.class, call::run);
        assertThat(e).isNotNull();
        return e;
    }

    @Test
    void iam_deniesBeforeItParsesOrLooksUp() {
        try (IamClient iam = f.iam(reader)) {
            assertThat(refused(() -> iam.createRole(b -> b.roleName("bad-doc").assumeRolePolicyDocument("{not json")))
                    .awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
            assertThat(refused(() -> iam.createPolicy(b -> b.policyName("bad-doc").policyDocument("{\"Statement\":[]}")))
                    .awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
            assertThat(refused(() -> iam.getRole(b -> b.roleName("no-such-role"))).awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
            assertThat(refused(() -> iam.putRolePolicy(b -> b.roleName("no-such-role").policyName("p").policyDocument("{")))
                    .awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
            // Parameter constraints stay first, as IAM's.
            assertThat(refused(() -> iam.createRole(b -> b.roleName("r".repeat(65)).assumeRolePolicyDocument("{")))
                    .awsErrorDetails().errorCode()).isEqualTo("ValidationError");
        }
        // The administrator gets the semantic errors.
        assertThat(refused(() -> f.iam.getRole(b -> b.roleName("no-such-role"))).awsErrorDetails().errorCode()).isEqualTo("NoSuchEntity");
        assertThat(refused(() -> f.iam.createRole(b -> b.roleName("bad-doc").assumeRolePolicyDocument("{not json")))
                .awsErrorDetails().errorCode()).isEqualTo("MalformedPolicyDocument");
    }

    @Test
    void eks_deniesBeforeItLooksUp() {
        try (EksClient eks = f.eks(reader)) {
            assertThat(refused(() -> eks.describeCluster(b -> b.name("no-such-cluster"))).statusCode()).isEqualTo(403);
            assertThat(refused(() -> eks.describePodIdentityAssociation(b -> b.clusterName("no-such-cluster").associationId("a-0123456789abcdefg")))
                    .statusCode()).isEqualTo(403);
        }
        assertThat(refused(() -> f.eks.describeCluster(b -> b.name("no-such-cluster"))).statusCode()).isEqualTo(404);
    }
}
