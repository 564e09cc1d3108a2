package io.openirsa.cli;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.iam.model.Policy;
import software.amazon.awssdk.services.iam.model.PolicyScopeType;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Customer managed policies and their versions, and the AWS managed catalogue, through the SDK. */
class ManagedPoliciesTest extends ServerTest {
    static final String V1 = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:ListRoles\",\"Resource\":\"*\"}]}";
    static final String V2 = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:List*\",\"Resource\":\"*\"}]}";

    String error(Runnable call) {
        return catchThrowableOfType(AwsServiceException.class, call::run).awsErrorDetails().errorCode();
    }

    @Test
    void lifecycle_createVersionsDefaultDelete() {
        Policy p = f.iam.createPolicy(b -> b.policyName("lister").path("/team/").policyDocument(V1).description("lists")).policy();
        assertThat(p.arn()).isEqualTo("arn:aws:iam::123456789012:policy/team/lister");
        assertThat(p.policyId()).matches("ANPA[A-Z2-7]{17}");
        assertThat(p.defaultVersionId()).isEqualTo("v1");
        assertThat(p.attachmentCount()).isZero();
        assertThat(error(() -> f.iam.createPolicy(b -> b.policyName("lister").policyDocument(V1)))).isEqualTo("EntityAlreadyExists");

        assertThat(f.iam.createPolicyVersion(b -> b.policyArn(p.arn()).policyDocument(V2).setAsDefault(true)).policyVersion().versionId()).isEqualTo("v2");
        assertThat(f.iam.getPolicy(b -> b.policyArn(p.arn())).policy().defaultVersionId()).isEqualTo("v2");
        var v2 = f.iam.getPolicyVersion(b -> b.policyArn(p.arn()).versionId("v2")).policyVersion();
        assertThat(v2.isDefaultVersion()).isTrue();
        assertThat(URLDecoder.decode(v2.document(), StandardCharsets.UTF_8)).isEqualTo(V2);
        assertThat(f.iam.listPolicyVersions(b -> b.policyArn(p.arn())).versions()).extracting(v -> v.versionId()).containsExactlyInAnyOrder("v1", "v2");

        for (int i = 3; i <= 5; i++) {
            f.iam.createPolicyVersion(b -> b.policyArn(p.arn()).policyDocument(V1));
        }
        assertThat(error(() -> f.iam.createPolicyVersion(b -> b.policyArn(p.arn()).policyDocument(V1)))).isEqualTo("LimitExceeded");
        assertThat(error(() -> f.iam.deletePolicyVersion(b -> b.policyArn(p.arn()).versionId("v2")))).isEqualTo("DeleteConflict");
        f.iam.setDefaultPolicyVersion(b -> b.policyArn(p.arn()).versionId("v1"));
        assertThat(error(() -> f.iam.deletePolicy(b -> b.policyArn(p.arn())))).isEqualTo("DeleteConflict"); // versions left
        for (String v : new String[]{"v2", "v3", "v4", "v5"}) {
            f.iam.deletePolicyVersion(b -> b.policyArn(p.arn()).versionId(v));
        }
        f.iam.deletePolicy(b -> b.policyArn(p.arn()));
        assertThat(catchThrowableOfType(AwsServiceException.class, () -> f.iam.getPolicy(b -> b.policyArn(p.arn()))).statusCode()).isEqualTo(404);
    }

    @Test
    void aCustomerPolicy_attachedToARole_governsItsSessions() throws Exception {
        Policy p = f.iam.createPolicy(b -> b.policyName("session-lister").policyDocument(V1)).policy();
        String issuer = f.createCluster("managed");
        String provider = f.registerProvider(issuer);
        String role = f.iam.createRole(b -> b.roleName("managed-user").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "app")))
                .role().arn();
        f.iam.attachRolePolicy(b -> b.roleName("managed-user").policyArn(p.arn()));
        assertThat(f.iam.getPolicy(b -> b.policyArn(p.arn())).policy().attachmentCount()).isEqualTo(1);
        assertThat(f.iam.listAttachedRolePolicies(b -> b.roleName("managed-user")).attachedPolicies())
                .extracting(a -> a.policyName()).containsExactly("session-lister");
        assertThat(error(() -> f.iam.deletePolicy(b -> b.policyArn(p.arn())))).isEqualTo("DeleteConflict");

        String token = f.token("managed", "default", "app");
        var creds = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(role).roleSessionName("mm").webIdentityToken(token)).credentials();
        try (var session = f.iam(creds)) {
            assertThat(session.listRoles().roles()).isNotEmpty();
            assertThat(error(() -> session.listPolicies())).isEqualTo("AccessDenied");
            // A new default version takes effect at once.
            f.iam.createPolicyVersion(b -> b.policyArn(p.arn()).policyDocument(V2).setAsDefault(true));
            assertThat(session.listPolicies(b -> b.scope(PolicyScopeType.LOCAL)).policies()).extracting(Policy::policyName).contains("session-lister");
        }
    }

    @Test
    void awsManagedCatalogue_listsAtLeastThirty_andIsReadOnly() {
        var aws = f.iam.listPoliciesPaginator(b -> b.scope(PolicyScopeType.AWS)).policies().stream().toList();
        assertThat(aws).hasSizeGreaterThanOrEqualTo(30);
        assertThat(aws).allSatisfy(p -> assertThat(p.arn()).startsWith("arn:aws:iam::aws:policy/"));
        String arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
        assertThat(f.iam.getPolicy(b -> b.policyArn(arn)).policy().policyName()).isEqualTo("AmazonS3ReadOnlyAccess");
        String doc = URLDecoder.decode(f.iam.getPolicyVersion(b -> b.policyArn(arn).versionId("v1")).policyVersion().document(), StandardCharsets.UTF_8);
        assertThat(doc).contains("s3:Get*").contains("s3:List*");
        assertThat(error(() -> f.iam.createPolicyVersion(b -> b.policyArn(arn).policyDocument(V1)))).isEqualTo("InvalidInput");
        assertThat(error(() -> f.iam.deletePolicy(b -> b.policyArn(arn)))).isEqualTo("InvalidInput");
    }
}
