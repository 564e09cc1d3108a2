package io.openirsa.cli;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.iam.model.GetOpenIdConnectProviderResponse;
import software.amazon.awssdk.services.iam.model.ListRolesResponse;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.iam.model.Tag;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The IAM subset through the AWS SDK: shapes, idempotence, and AWS's error codes and statuses. */
class IamApiTest extends ServerTest {
    static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":"
            + "\"arn:aws:iam::123456789012:oidc-provider/example.com/id/X\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\","
            + "\"Condition\":{\"StringEquals\":{\"example.com/id/X:sub\":\"system:serviceaccount:a b:*\"}}}]}";

    AwsServiceException error(Runnable call) {
        AwsServiceException e = catchThrowableOfType(AwsServiceException.class, call::run);
        assertThat(e).as("expected an AWS error").isNotNull();
        return e;
    }

    @Test
    void createRole_thenGetRole_roundTripsEveryField() {
        Role created = f.iam.createRole(b -> b.roleName("Shape").path("/team/").description("for shapes")
                .maxSessionDuration(7200).assumeRolePolicyDocument(TRUST).tags(Tag.builder().key("env").value("test").build())).role();
        assertThat(created.arn()).isEqualTo("arn:aws:iam::123456789012:role/team/Shape");
        assertThat(created.roleId()).matches("AROA[A-Z2-7]{17}");

        Role got = f.iam.getRole(b -> b.roleName("shape")).role(); // names are case-insensitive
        assertThat(got.roleName()).isEqualTo("Shape");
        assertThat(got.path()).isEqualTo("/team/");
        assertThat(got.description()).isEqualTo("for shapes");
        assertThat(got.maxSessionDuration()).isEqualTo(7200);
        assertThat(got.tags()).containsExactly(Tag.builder().key("env").value("test").build());
        assertThat(got.createDate()).isEqualTo(created.createDate());
        // IAM percent-encodes policy documents (spaces as %20, never '+'); the document comes back intact.
        assertThat(got.assumeRolePolicyDocument()).startsWith("%7B%22Version%22").contains("a%20b").doesNotContain("+");
        assertThat(URLDecoder.decode(got.assumeRolePolicyDocument(), StandardCharsets.UTF_8)).isEqualTo(TRUST);
    }

    @Test
    void createRole_twice_isEntityAlreadyExists() {
        f.iam.createRole(b -> b.roleName("Twice").assumeRolePolicyDocument(TRUST));
        AwsServiceException e = error(() -> f.iam.createRole(b -> b.roleName("TWICE").assumeRolePolicyDocument(TRUST)));
        assertThat(e.statusCode()).isEqualTo(409);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("EntityAlreadyExists");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Role with name TWICE already exists.");
    }

    @Test
    void getRole_missing_isNoSuchEntity() {
        AwsServiceException e = error(() -> f.iam.getRole(b -> b.roleName("missing")));
        assertThat(e.statusCode()).isEqualTo(404);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("NoSuchEntity");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The role with name missing cannot be found.");
    }

    @Test
    void malformedTrustPolicy_isMalformedPolicyDocument() {
        for (String[] c : new String[][]{
                {"{", "Syntax errors in policy."},
                {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}]}", "Missing required field Principal"},
                {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}", "Has prohibited field Resource"}}) {
            AwsServiceException e = error(() -> f.iam.createRole(b -> b.roleName("Bad").assumeRolePolicyDocument(c[0])));
            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MalformedPolicyDocument");
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(c[1]);
        }
    }

    @Test
    void trustPolicyOverQuota_isLimitExceeded() {
        String values = String.join(",", java.util.Collections.nCopies(120, "\"system:serviceaccount:ns:sa\""));
        String big = TRUST.replace("\"system:serviceaccount:a b:*\"", "[" + values + "]");
        AwsServiceException e = error(() -> f.iam.createRole(b -> b.roleName("Big").assumeRolePolicyDocument(big)));
        assertThat(e.statusCode()).isEqualTo(409);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("LimitExceeded");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Cannot exceed quota for ACLSizePerRole: 2048");
    }

    @Test
    void invalidRoleName_andMaxSessionDuration_areValidationErrors() {
        AwsServiceException e = error(() -> f.iam.createRole(b -> b.roleName("bad name").assumeRolePolicyDocument(TRUST).maxSessionDuration(60)));
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
        assertThat(e.awsErrorDetails().errorMessage()).startsWith("2 validation errors detected: Value 'bad name' at 'roleName'")
                .contains("Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600");
    }

    @Test
    void listRoles_pagesWithMarker() {
        for (int i = 0; i < 5; i++) {
            int n = i;
            f.iam.createRole(b -> b.roleName("page-" + n).path("/paged/").assumeRolePolicyDocument(TRUST));
        }
        List<String> names = new ArrayList<>();
        String marker = null;
        int pages = 0;
        do {
            String m = marker;
            ListRolesResponse page = f.iam.listRoles(b -> b.pathPrefix("/paged/").maxItems(2).marker(m));
            page.roles().forEach(r -> names.add(r.roleName()));
            marker = page.isTruncated() ? page.marker() : null;
            pages++;
        } while (marker != null);
        assertThat(names).containsExactly("page-0", "page-1", "page-2", "page-3", "page-4");
        assertThat(pages).isEqualTo(3);
        assertThat(f.iam.listRolesPaginator(b -> b.pathPrefix("/paged/").maxItems(1)).roles()).hasSize(5);
    }

    @Test
    void managedAndInlinePolicies_attachListDetach_andBlockDeletion() {
        f.iam.createRole(b -> b.roleName("Policies").assumeRolePolicyDocument(TRUST));
        f.iam.attachRolePolicy(b -> b.roleName("Policies").policyArn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"));
        f.iam.attachRolePolicy(b -> b.roleName("Policies").policyArn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")); // idempotent
        assertThat(f.iam.listAttachedRolePolicies(b -> b.roleName("Policies")).attachedPolicies())
                .extracting(p -> p.policyName() + " " + p.policyArn())
                .containsExactly("AmazonS3ReadOnlyAccess arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");

        AwsServiceException unknown = error(() -> f.iam.attachRolePolicy(b -> b.roleName("Policies").policyArn("arn:aws:iam::aws:policy/NoSuchPolicy")));
        assertThat(unknown.awsErrorDetails().errorCode()).isEqualTo("NoSuchEntity");

        String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}";
        f.iam.putRolePolicy(b -> b.roleName("Policies").policyName("inline").policyDocument(doc));
        assertThat(f.iam.listRolePolicies(b -> b.roleName("Policies")).policyNames()).containsExactly("inline");
        assertThat(URLDecoder.decode(f.iam.getRolePolicy(b -> b.roleName("Policies").policyName("inline")).policyDocument(), StandardCharsets.UTF_8))
                .isEqualTo(doc);

        AwsServiceException conflict = error(() -> f.iam.deleteRole(b -> b.roleName("Policies")));
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(conflict.awsErrorDetails().errorCode()).isEqualTo("DeleteConflict");

        f.iam.detachRolePolicy(b -> b.roleName("Policies").policyArn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"));
        AwsServiceException notAttached = error(() -> f.iam.detachRolePolicy(b -> b.roleName("Policies").policyArn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")));
        assertThat(notAttached.awsErrorDetails().errorCode()).isEqualTo("NoSuchEntity");
        assertThat(error(() -> f.iam.deleteRole(b -> b.roleName("Policies"))).awsErrorDetails().errorCode()).isEqualTo("DeleteConflict");
        f.iam.deleteRolePolicy(b -> b.roleName("Policies").policyName("inline"));
        f.iam.deleteRole(b -> b.roleName("Policies"));
        assertThat(error(() -> f.iam.getRole(b -> b.roleName("Policies"))).statusCode()).isEqualTo(404);
    }

    @Test
    void malformedInlinePolicy_isMalformedPolicyDocument() {
        f.iam.createRole(b -> b.roleName("Inline").assumeRolePolicyDocument(TRUST));
        AwsServiceException e = error(() -> f.iam.putRolePolicy(b -> b.roleName("Inline").policyName("p").policyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\"}]}")));
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MalformedPolicyDocument");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Policy statement must contain resources.");
    }

    @Test
    void updateAssumeRolePolicy_andUpdateRole_takeEffect() {
        f.iam.createRole(b -> b.roleName("Updated").assumeRolePolicyDocument(TRUST));
        String next = TRUST.replace("a b:*", "other:sa");
        f.iam.updateAssumeRolePolicy(b -> b.roleName("Updated").policyDocument(next));
        f.iam.updateRole(b -> b.roleName("Updated").maxSessionDuration(43200).description("d"));
        Role r = f.iam.getRole(b -> b.roleName("Updated")).role();
        assertThat(URLDecoder.decode(r.assumeRolePolicyDocument(), StandardCharsets.UTF_8)).isEqualTo(next);
        assertThat(r.maxSessionDuration()).isEqualTo(43200);
        assertThat(r.description()).isEqualTo("d");
        assertThat(error(() -> f.iam.updateAssumeRolePolicy(b -> b.roleName("Updated").policyDocument("[]"))).awsErrorDetails().errorCode())
                .isEqualTo("MalformedPolicyDocument");
    }

    @Test
    void openIdConnectProviders_lifecycle() {
        String url = "https://oidc.example.com/id/ABC";
        String arn = f.iam.createOpenIDConnectProvider(b -> b.url(url).clientIDList("sts.amazonaws.com")
                .thumbprintList("9e99a48a9960b14926bb7f3b02e22da2b0ab7280")).openIDConnectProviderArn();
        assertThat(arn).isEqualTo("arn:aws:iam::123456789012:oidc-provider/oidc.example.com/id/ABC");

        AwsServiceException dup = error(() -> f.iam.createOpenIDConnectProvider(b -> b.url(url).clientIDList("x")));
        assertThat(dup.statusCode()).isEqualTo(409);
        assertThat(dup.awsErrorDetails().errorMessage()).isEqualTo("Provider with url " + url + " already exists.");

        f.iam.addClientIDToOpenIDConnectProvider(b -> b.openIDConnectProviderArn(arn).clientID("other"));
        f.iam.addClientIDToOpenIDConnectProvider(b -> b.openIDConnectProviderArn(arn).clientID("other")); // idempotent
        f.iam.removeClientIDFromOpenIDConnectProvider(b -> b.openIDConnectProviderArn(arn).clientID("sts.amazonaws.com"));
        f.iam.updateOpenIDConnectProviderThumbprint(b -> b.openIDConnectProviderArn(arn).thumbprintList("a".repeat(40), "b".repeat(40)));
        GetOpenIdConnectProviderResponse got = f.iam.getOpenIDConnectProvider(b -> b.openIDConnectProviderArn(arn));
        assertThat(got.url()).isEqualTo("oidc.example.com/id/ABC"); // without the scheme, as IAM returns it
        assertThat(got.clientIDList()).containsExactly("other");
        assertThat(got.thumbprintList()).containsExactly("a".repeat(40), "b".repeat(40));
        assertThat(got.createDate()).isNotNull();
        assertThat(f.iam.listOpenIDConnectProviders().openIDConnectProviderList()).extracting(p -> p.arn()).contains(arn);

        f.iam.deleteOpenIDConnectProvider(b -> b.openIDConnectProviderArn(arn));
        f.iam.deleteOpenIDConnectProvider(b -> b.openIDConnectProviderArn(arn)); // idempotent, as documented
        AwsServiceException gone = error(() -> f.iam.getOpenIDConnectProvider(b -> b.openIDConnectProviderArn(arn)));
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.awsErrorDetails().errorMessage()).isEqualTo("OpenIDConnect Provider not found for arn " + arn);
    }

    @Test
    void providerUrl_mustBeHttps_exceptForLoopback() {
        for (String bad : List.of("http://oidc.example.com", "ftp://x.example.com", "https://x.example.com/?q=1", "not a url")) {
            AwsServiceException e = error(() -> f.iam.createOpenIDConnectProvider(b -> b.url(bad).clientIDList("sts.amazonaws.com")));
            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidInput");
        }
        AwsServiceException thumb = error(() -> f.iam.createOpenIDConnectProvider(b -> b.url("https://t.example.com").thumbprintList("zz")));
        assertThat(thumb.awsErrorDetails().errorCode()).isIn("ValidationError", "InvalidInput");
        f.iam.createOpenIDConnectProvider(b -> b.url("http://127.0.0.1:9/issuer").clientIDList("sts.amazonaws.com"));
    }
}
