package io.openirsa.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsWebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The EKS IRSA walkthrough against a running server, driven by the AWS SDK for Java v2, and every
 * refusal along the way with AWS's code, status and message.
 */
class WebIdentityFlowTest extends ServerTest {
    String issuer;
    String providerArn;
    String roleArn;

    @BeforeAll
    void setUp() throws Exception {
        issuer = f.createCluster("demo");
        providerArn = f.registerProvider(issuer);
        roleArn = f.iam.createRole(b -> b.roleName("app").assumeRolePolicyDocument(Fixture.trustPolicy(providerArn, issuer, "default", "app")))
                .role().arn();
        f.iam.attachRolePolicy(b -> b.roleName("app").policyArn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"));
    }

    AssumeRoleWithWebIdentityResponse assume(String token, Consumer<software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest.Builder> more) {
        return f.anonymousSts.assumeRoleWithWebIdentity(b -> {
            b.roleArn(roleArn).roleSessionName("test-session").webIdentityToken(token);
            more.accept(b);
        });
    }

    AwsServiceException refused(String token, Consumer<software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest.Builder> more) {
        return catchThrowableOfType(AwsServiceException.class, () -> assume(token, more));
    }

    @Test
    void assumeRoleWithWebIdentity_returnsCredentialsThatAreTheRole() throws Exception {
        AssumeRoleWithWebIdentityResponse r = assume(f.token("demo", "default", "app"), b -> { });

        assertThat(r.assumedRoleUser().arn()).isEqualTo("arn:aws:sts::123456789012:assumed-role/app/test-session");
        assertThat(r.assumedRoleUser().assumedRoleId()).matches("AROA[A-Z2-7]{17}:test-session");
        assertThat(r.subjectFromWebIdentityToken()).isEqualTo("system:serviceaccount:default:app");
        assertThat(r.provider()).isEqualTo(providerArn);
        assertThat(r.audience()).isEqualTo("sts.amazonaws.com");
        Credentials c = r.credentials();
        assertThat(c.accessKeyId()).matches("ASIA[A-Z2-7]{16}");
        assertThat(c.secretAccessKey()).hasSize(40);
        assertThat(c.expiration()).isBetween(Instant.now().plusSeconds(3500), Instant.now().plusSeconds(3700));

        GetCallerIdentityResponse me = f.sts(c).getCallerIdentity();
        assertThat(me.arn()).isEqualTo("arn:aws:sts::123456789012:assumed-role/app/test-session");
        assertThat(me.userId()).isEqualTo(r.assumedRoleUser().assumedRoleId());
        assertThat(me.account()).isEqualTo("123456789012");
    }

    @Test
    void sdkWebIdentityCredentialsProvider_readsRoleAndTokenFile() throws Exception {
        Path tokenFile = Files.createTempFile(f.data, "token", ".jwt");
        Files.writeString(tokenFile, f.token("demo", "default", "app"));
        // The SDK reads AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_SESSION_NAME, or these
        // system properties, which are the same settings (SdkSystemSetting) and can be set in a test.
        System.setProperty("aws.roleArn", roleArn);
        System.setProperty("aws.webIdentityTokenFile", tokenFile.toString());
        System.setProperty("aws.roleSessionName", "sdk-provider");
        try (var provider = StsWebIdentityTokenFileCredentialsProvider.builder().stsClient(f.anonymousSts).build();
             StsClient asRole = f.sts(provider)) {
            assertThat(asRole.getCallerIdentity().arn()).isEqualTo("arn:aws:sts::123456789012:assumed-role/app/sdk-provider");
        } finally {
            System.clearProperty("aws.roleArn");
            System.clearProperty("aws.webIdentityTokenFile");
            System.clearProperty("aws.roleSessionName");
        }
    }

    @Test
    void anotherServiceAccount_isAccessDenied() throws Exception {
        AwsServiceException e = refused(f.token("demo", "default", "other"), b -> { });
        assertThat(e.statusCode()).isEqualTo(403);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Not authorized to perform sts:AssumeRoleWithWebIdentity");
    }

    @Test
    void wrongAudience_isInvalidIdentityToken() throws Exception {
        AwsServiceException e = refused(f.token("demo", "default", "app", List.of("not-sts"), null), b -> { });
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Incorrect token audience");
    }

    @Test
    void expiredToken_isExpiredTokenException() throws Exception {
        String token = f.token("demo", "default", "app", List.of("sts.amazonaws.com"), 600L);
        f.clock.advance(Duration.ofSeconds(601));
        AwsServiceException e = refused(token, b -> { });
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ExpiredTokenException");
        assertThat(e.awsErrorDetails().errorMessage()).matches("Token expired: current date/time \\d+ must be before the expiration date/time\\d+");
    }

    @Test
    void tamperedToken_isInvalidIdentityToken() throws Exception {
        String token = f.token("demo", "default", "app");
        String[] parts = token.split("\\.");
        // Claim another service account, keep the original signature.
        String payload = new String(Base64.getUrlDecoder().decode(parts[1])).replace("default:app", "default:adm");
        String forgedClaims = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes()) + "." + parts[2];
        char c = parts[2].charAt(10);
        String forgedSignature = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) + (c == 'A' ? 'B' : 'A') + parts[2].substring(11);
        for (String forged : List.of(forgedClaims, forgedSignature)) {
            AwsServiceException e = refused(forged, b -> { });
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
            assertThat(e.statusCode()).isEqualTo(400);
        }
    }

    @Test
    void unsignedToken_algNone_isRefused() throws Exception {
        String[] parts = f.token("demo", "default", "app").split("\\.");
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes()) + "." + parts[1] + ".";
        AwsServiceException e = refused(none, b -> { });
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
    }

    @Test
    void tokenOfAnUnregisteredIssuer_isInvalidIdentityToken() throws Exception {
        String otherIssuer = f.createCluster("unregistered");
        AwsServiceException e = refused(f.token("unregistered", "default", "app"), b -> { });
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("No OpenIDConnect provider found in your account for " + otherIssuer);
    }

    @Test
    void garbageToken_isInvalidIdentityToken() {
        for (String junk : List.of("abcd", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.", "x".repeat(5000))) {
            AwsServiceException e = refused(junk, b -> { });
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
        }
    }

    @Test
    void unknownRole_isAccessDenied() throws Exception {
        String token = f.token("demo", "default", "app");
        AwsServiceException e = refused(token, b -> b.roleArn("arn:aws:iam::123456789012:role/nope"));
        assertThat(e.statusCode()).isEqualTo(403);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
    }

    @Test
    void badSessionName_isValidationError() throws Exception {
        AwsServiceException e = refused(f.token("demo", "default", "app"), b -> b.roleSessionName("a:b"));
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("1 validation error detected: Value 'a:b' at 'roleSessionName' "
                + "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    }

    @Test
    void severalViolations_areReportedTogether() throws Exception {
        AwsServiceException e = refused(f.token("demo", "default", "app"), b -> b.roleSessionName("x").durationSeconds(86400));
        assertThat(e.awsErrorDetails().errorMessage()).startsWith("2 validation errors detected: ")
                .contains("at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2")
                .contains("Value '86400' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200");
    }

    @Test
    void durationOverRoleMaximum_isValidationError() throws Exception {
        AwsServiceException e = refused(f.token("demo", "default", "app"), b -> b.durationSeconds(7200));
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }

    @Test
    void durationWithinMaximum_setsExpiration() throws Exception {
        Credentials c = assume(f.token("demo", "default", "app"), b -> b.durationSeconds(900)).credentials();
        assertThat(Duration.between(Instant.now(), c.expiration())).isBetween(Duration.ofSeconds(880), Duration.ofSeconds(905));
    }

    @Test
    void malformedRoleArn_isValidationError() throws Exception {
        AwsServiceException e = refused(f.token("demo", "default", "app"), b -> b.roleArn("arn:aws:iam::123456789012:user/someone"));
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Request ARN is invalid");
    }

    @Test
    void wrongSecret_isSignatureDoesNotMatch() {
        try (StsClient wrong = f.sts(StaticCredentialsProvider.create(AwsBasicCredentials.create(f.server.adminKey().accessKeyId(), "x".repeat(40))))) {
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, wrong::getCallerIdentity);
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
        }
    }

    @Test
    void unknownAccessKey_isInvalidClientTokenId() {
        try (StsClient unknown = f.sts(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAUNKNOWNUNKNOWN00", "x".repeat(40))))) {
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, unknown::getCallerIdentity);
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidClientTokenId");
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The security token included in the request is invalid.");
        }
    }

    @Test
    void forgedSessionToken_isInvalidClientTokenId() throws Exception {
        Credentials c = assume(f.token("demo", "default", "app"), b -> { }).credentials();
        String token = c.sessionToken();
        char x = token.charAt(20);
        String forged = token.substring(0, 20) + (x == 'A' ? 'B' : 'A') + token.substring(21);
        try (StsClient s = f.sts(StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), forged)))) {
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, s::getCallerIdentity);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidClientTokenId");
        }
        // A genuine token with another session's key id does not pass either.
        Credentials other = assume(f.token("demo", "default", "app"), b -> { }).credentials();
        try (StsClient s = f.sts(StaticCredentialsProvider.create(AwsSessionCredentials.create(other.accessKeyId(), c.secretAccessKey(), c.sessionToken())))) {
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, s::getCallerIdentity);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidClientTokenId");
        }
    }

    @Test
    void sessionCredentials_workOnlyWithinTheirRolePermissions() throws Exception {
        Credentials c = assume(f.token("demo", "default", "app"), b -> { }).credentials();
        try (var asRole = f.iam(c)) {
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, () -> asRole.listRoles());
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
            assertThat(e.awsErrorDetails().errorMessage()).startsWith("User: arn:aws:sts::123456789012:assumed-role/app/test-session is not authorized to perform: iam:ListRoles");

            f.iam.putRolePolicy(b -> b.roleName("app").policyName("read-iam").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:List*\",\"Resource\":\"*\"}]}"));
            try {
                assertThat(asRole.listRoles().roles()).extracting(r -> r.roleName()).contains("app");
                assertThatThrownBy(() -> asRole.deleteRole(b -> b.roleName("app"))).isInstanceOf(AwsServiceException.class)
                        .hasMessageContaining("iam:DeleteRole");
            } finally {
                f.iam.deleteRolePolicy(b -> b.roleName("app").policyName("read-iam"));
            }
        }
    }
}
