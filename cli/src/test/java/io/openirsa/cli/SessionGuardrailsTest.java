package io.openirsa.cli;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What stops a role session, tried with the session's own credentials: Deny guardrails on the global
 * condition keys AWS sets for every request (IAM's "revoke active sessions" policy on
 * aws:TokenIssueTime, aws:SourceIp, aws:SecureTransport, aws:RequestedRegion, aws:PrincipalType),
 * and the role's identity: a session of a deleted role never comes back with a new role of its name.
 */
class SessionGuardrailsTest extends ServerTest {
    static final String A = Fixture.ACCOUNT;
    static final String TRUST_ACCOUNT = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + A
            + "\"},\"Action\":\"sts:AssumeRole\"}]}";
    static final String READ = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:ListRoles\",\"Resource\":\"*\"}]}";

    Credentials session(String role) {
        if (f.iam.listRoles().roles().stream().noneMatch(r -> r.roleName().equals(role))) {
            f.iam.createRole(b -> b.roleName(role).assumeRolePolicyDocument(TRUST_ACCOUNT));
            f.iam.putRolePolicy(b -> b.roleName(role).policyName("read").policyDocument(READ));
        }
        return f.sts.assumeRole(b -> b.roleArn("arn:aws:iam::" + A + ":role/" + role).roleSessionName("s1")).credentials();
    }

    AwsServiceException listRoles(Credentials c) {
        try (IamClient iam = f.iam(c)) {
            return catchThrowableOfType(AwsServiceException.class, iam::listRoles);
        }
    }

    void guard(String role, String condition) {
        f.iam.putRolePolicy(b -> b.roleName(role).policyName("guard").policyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":" + condition + "}]}"));
    }

    @Test
    void revokeActiveSessions_deniesSessionsIssuedBeforeTheCutOff_only() {
        Credentials old = session("revoked");
        assertThat(listRoles(old)).isNull();
        f.clock.advance(Duration.ofMinutes(5));
        String cutOff = Instant.now().plus(Duration.ofMinutes(4)).truncatedTo(ChronoUnit.SECONDS).toString();
        // The policy IAM's console attaches for "Revoke active sessions".
        guard("revoked", "{\"DateLessThan\":{\"aws:TokenIssueTime\":\"" + cutOff + "\"}}");
        AwsServiceException e = listRoles(old);
        assertThat(e).isNotNull();
        assertThat(e.statusCode()).isEqualTo(403);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("User: arn:aws:sts::" + A + ":assumed-role/revoked/s1 is not authorized to perform: "
                + "iam:ListRoles on resource: * with an explicit deny in an identity-based policy");
        assertThat(listRoles(session("revoked"))).as("a session issued after the cut-off").isNull();
    }

    @Test
    void sourceIpGuardrail_applies() {
        Credentials c = session("by-ip");
        guard("by-ip", "{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}");
        assertThat(listRoles(c)).isNotNull().extracting(AwsServiceException::statusCode).isEqualTo(403);
        guard("by-ip", "{\"NotIpAddress\":{\"aws:SourceIp\":\"127.0.0.0/8\"}}");
        assertThat(listRoles(c)).isNull();
    }

    @Test
    void secureTransportGuardrail_applies() {
        Credentials c = session("tls-only");
        guard("tls-only", "{\"Bool\":{\"aws:SecureTransport\":\"false\"}}");
        assertThat(listRoles(c)).isNotNull().extracting(AwsServiceException::statusCode).isEqualTo(403);
    }

    @Test
    void requestedRegionGuardrail_applies() {
        Credentials c = session("regional");
        guard("regional", "{\"StringNotEquals\":{\"aws:RequestedRegion\":\"eu-west-1\"}}");
        assertThat(listRoles(c)).isNotNull().extracting(AwsServiceException::statusCode).isEqualTo(403);
        guard("regional", "{\"StringNotEquals\":{\"aws:RequestedRegion\":\"us-east-1\"}}"); // IAM is signed for us-east-1
        assertThat(listRoles(c)).isNull();
    }

    @Test
    void principalTypeAndMfaKeys_arePresentForSessions() {
        Credentials c = session("typed");
        guard("typed", "{\"StringEquals\":{\"aws:PrincipalType\":\"AssumedRole\"},\"Bool\":{\"aws:MultiFactorAuthPresent\":\"false\"}}");
        assertThat(listRoles(c)).isNotNull().extracting(AwsServiceException::statusCode).isEqualTo(403);
    }

    @Test
    void aSessionOfADeletedRole_doesNotComeBackWithARecreatedRole() {
        Credentials old = session("reborn");
        try (StsClient sts = f.sts(old)) {
            assertThat(sts.getCallerIdentity().arn()).endsWith(":assumed-role/reborn/s1");
        }
        f.iam.deleteRolePolicy(b -> b.roleName("reborn").policyName("read"));
        f.iam.deleteRole(b -> b.roleName("reborn"));
        f.iam.createRole(b -> b.roleName("reborn").assumeRolePolicyDocument(TRUST_ACCOUNT));
        f.iam.putRolePolicy(b -> b.roleName("reborn").policyName("read").policyDocument(READ));

        AwsServiceException e = listRoles(old);
        assertThat(e).isNotNull();
        assertThat(e.statusCode()).isEqualTo(403);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidClientTokenId");
        try (StsClient sts = f.sts(old)) {
            assertThat(catchThrowableOfType(AwsServiceException.class, sts::getCallerIdentity).awsErrorDetails().errorCode())
                    .isEqualTo("InvalidClientTokenId");
        }
        assertThat(listRoles(session("reborn"))).as("a session of the new role").isNull();
    }
}
