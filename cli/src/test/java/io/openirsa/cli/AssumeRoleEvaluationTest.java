package io.openirsa.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * AssumeRole by a role session, row by row through IAM's evaluation logic (the IAM User Guide's
 * "Policy evaluation logic", "Session policies" and "Cross-account policy evaluation logic"): which
 * policies must allow depends on whom the target's trust policy names (the session, the caller's
 * role, the account), an explicit Deny anywhere refuses, and session policies limit all but a trust
 * policy that names the session itself. Driven with the AWS SDK for Java v2, as the caller would.
 */
class AssumeRoleEvaluationTest extends ServerTest {
    static final String A = Fixture.ACCOUNT;
    static final String B = "210987654321";
    static final AtomicInteger ROW = new AtomicInteger();
    IamClient iamB;

    @BeforeAll
    void secondAccount() throws Exception {
        var b = AccountCommand.Create.create(new RemoteServer(f.server.endpoint(), f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey(), null, "us-east-1"), B);
        iamB = IamClient.builder().endpointOverride(f.endpoint()).region(software.amazon.awssdk.regions.Region.AWS_GLOBAL)
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(b.path("accessKeyId").asText(), b.path("secretAccessKey").asText())))
                .build();
    }

    static String trust(String principal, boolean denyAccount) {
        String allow = "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + principal + "\"},\"Action\":\"sts:AssumeRole\"}";
        String deny = ",{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"" + A + "\"},\"Action\":\"sts:AssumeRole\"}";
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + allow + (denyAccount ? deny : "") + "]}";
    }

    static String policy(String effect, String action, String resource) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"" + effect + "\",\"Action\":\"" + action + "\",\"Resource\":\"" + resource + "\"}]}";
    }

    /**
     * @param names     whom the target's trust policy names: session, role, account, nobody
     * @param identity  the caller role's identity policy on sts:AssumeRole: allow, none, deny (a Deny beside an Allow of *)
     * @param session   the caller's session policy: none, allow (sts:AssumeRole), other (only iam:ListRoles), deny (Allow * and Deny sts:AssumeRole)
     * @param account   where the target is: same, cross
     * @param trustDeny the trust policy also denies the caller's account
     */
    @ParameterizedTest(name = "trust names {0}, identity {1}, session policy {2}, {3} account, trust deny {4}: {5}")
    @CsvSource({
            // same account: a trust policy naming the session grants on its own; only an explicit Deny stops it
            "session, none,  none,  same,  false, allowed",
            "session, none,  other, same,  false, allowed",
            "session, deny,  none,  same,  false, denied",
            "session, none,  deny,  same,  false, denied",
            // same account: naming the role grants, limited by the session policies
            "role,    none,  none,  same,  false, allowed",
            "role,    none,  allow, same,  false, allowed",
            "role,    none,  other, same,  false, denied",
            "role,    deny,  none,  same,  false, denied",
            "role,    allow, deny,  same,  false, denied",
            // same account: naming the account delegates to the caller's identity and session policies
            "account, none,  none,  same,  false, denied",
            "account, allow, none,  same,  false, allowed",
            "account, allow, allow, same,  false, allowed",
            "account, allow, other, same,  false, denied",
            "account, deny,  none,  same,  false, denied",
            // nobody trusted, or a Deny in the trust policy
            "nobody,  allow, none,  same,  false, denied",
            "role,    allow, none,  same,  true,  denied",
            // across accounts both sides must allow, and session policies limit
            "role,    none,  none,  cross, false, denied",
            "role,    allow, none,  cross, false, allowed",
            "role,    allow, other, cross, false, denied",
            "account, allow, allow, cross, false, allowed",
            "session, none,  none,  cross, false, denied",
            "session, allow, deny,  cross, false, denied",
    })
    void assumeRole(String names, String identity, String session, String account, boolean trustDeny, String expected) {
        int n = ROW.incrementAndGet();
        String callerRole = "caller" + n;
        String sessionArn = "arn:aws:sts::" + A + ":assumed-role/" + callerRole + "/s" + n;
        String callerRoleArn = "arn:aws:iam::" + A + ":role/" + callerRole;
        f.iam.createRole(b -> b.roleName(callerRole).assumeRolePolicyDocument(trust(A, false)));
        switch (identity) {
            case "allow" -> f.iam.putRolePolicy(b -> b.roleName(callerRole).policyName("p").policyDocument(policy("Allow", "sts:AssumeRole", "*")));
            case "deny" -> {
                f.iam.putRolePolicy(b -> b.roleName(callerRole).policyName("all").policyDocument(policy("Allow", "*", "*")));
                f.iam.putRolePolicy(b -> b.roleName(callerRole).policyName("no").policyDocument(policy("Deny", "sts:AssumeRole", "*")));
            }
            default -> {
            }
        }
        String sessionPolicy = switch (session) {
            case "allow" -> policy("Allow", "sts:AssumeRole", "*");
            case "other" -> policy("Allow", "iam:ListRoles", "*");
            case "deny" -> "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
                    + "{\"Effect\":\"Deny\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}";
            default -> null;
        };
        Credentials caller = f.sts.assumeRole(b -> b.roleArn(callerRoleArn).roleSessionName("s" + n).policy(sessionPolicy)).credentials();

        String principal = switch (names) {
            case "session" -> sessionArn;
            case "role" -> callerRoleArn;
            case "account" -> A;
            default -> "arn:aws:iam::" + A + ":role/someone-else";
        };
        String target = "target" + n;
        IamClient targetIam = account.equals("same") ? f.iam : iamB;
        if (names.equals("nobody")) {
            f.iam.createRole(b -> b.roleName("someone-else" + n).assumeRolePolicyDocument(trust(A, false)));
            principal = "arn:aws:iam::" + A + ":role/someone-else" + n;
        }
        String trustPolicy = trust(principal, trustDeny);
        String targetArn = targetIam.createRole(b -> b.roleName(target).assumeRolePolicyDocument(trustPolicy)).role().arn();

        try (StsClient sts = f.sts(caller)) {
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class,
                    () -> sts.assumeRole(b -> b.roleArn(targetArn).roleSessionName("hop")));
            if (expected.equals("allowed")) {
                assertThat(e).as("AssumeRole should be allowed").isNull();
            } else {
                assertThat(e).as("AssumeRole should be denied").isNotNull();
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
                assertThat(e.awsErrorDetails().errorMessage()).startsWith("User: " + sessionArn + " is not authorized to perform: sts:AssumeRole on resource: " + targetArn);
            }
        }
    }
}
