package io.openirsa.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.iam.model.ContextKeyTypeEnum;
import software.amazon.awssdk.services.iam.model.EvaluationResult;
import software.amazon.awssdk.services.iam.model.PolicyEvaluationDecisionType;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** simulate-principal-policy and simulate-custom-policy as the SDK and the CLI read them. */
class PolicySimulatorTest extends ServerTest {
    static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"123456789012\"},\"Action\":\"sts:AssumeRole\"}]}";
    static final String DENY = """
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Sid": "NoSecrets",
                  "Effect": "Deny",
                  "Action": "s3:GetObject",
                  "Resource": "arn:aws:s3:::secrets/*"
                }
              ]
            }""";
    String roleArn;

    @BeforeAll
    void setUp() {
        roleArn = f.iam.createRole(b -> b.roleName("s3-reader").assumeRolePolicyDocument(TRUST)).role().arn();
        f.iam.attachRolePolicy(b -> b.roleName("s3-reader").policyArn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"));
        f.iam.putRolePolicy(b -> b.roleName("s3-reader").policyName("no-secrets").policyDocument(DENY));
    }

    EvaluationResult simulate(String action, String resource) {
        return f.iam.simulatePrincipalPolicy(b -> b.policySourceArn(roleArn).actionNames(action).resourceArns(resource)).evaluationResults().get(0);
    }

    @Test
    void s3ReadOnly_allowsGetObject() {
        EvaluationResult r = simulate("s3:GetObject", "arn:aws:s3:::reports/2026/q4.csv");
        assertThat(r.evalDecision()).isEqualTo(PolicyEvaluationDecisionType.ALLOWED);
        assertThat(r.evalActionName()).isEqualTo("s3:GetObject");
        assertThat(r.evalResourceName()).isEqualTo("arn:aws:s3:::reports/2026/q4.csv");
        assertThat(r.matchedStatements()).singleElement().satisfies(m -> {
            assertThat(m.sourcePolicyId()).isEqualTo("AmazonS3ReadOnlyAccess");
            assertThat(m.sourcePolicyTypeAsString()).isEqualTo("aws-managed");
            assertThat(m.startPosition().line()).isEqualTo(1);
        });
    }

    @Test
    void s3ReadOnly_doesNotAllowPutObject() {
        EvaluationResult r = simulate("s3:PutObject", "arn:aws:s3:::reports/x");
        assertThat(r.evalDecision()).isEqualTo(PolicyEvaluationDecisionType.IMPLICIT_DENY);
        assertThat(r.matchedStatements()).isEmpty();
    }

    @Test
    void anExplicitDeny_winsAndIsPointedAt() {
        EvaluationResult r = simulate("s3:GetObject", "arn:aws:s3:::secrets/db-password");
        assertThat(r.evalDecision()).isEqualTo(PolicyEvaluationDecisionType.EXPLICIT_DENY);
        assertThat(r.matchedStatements()).singleElement().satisfies(m -> {
            assertThat(m.sourcePolicyId()).isEqualTo("no-secrets");
            assertThat(m.sourcePolicyTypeAsString()).isEqualTo("role");
            // The statement spans lines 4 to 9 of the document, from its opening brace to just past its closing one.
            assertThat(m.startPosition().line()).isEqualTo(4);
            assertThat(m.startPosition().column()).isEqualTo(5);
            assertThat(m.endPosition().line()).isEqualTo(9);
            assertThat(m.endPosition().column()).isEqualTo(6);
        });
    }

    @Test
    void customPolicies_withContextEntries_andMissingContextValues() {
        String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"*\","
                + "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"},\"StringLike\":{\"s3:prefix\":\"home/*\"}}}]}";
        List<EvaluationResult> withIp = f.iam.simulateCustomPolicy(b -> b.policyInputList(doc).actionNames("s3:ListBucket")
                .contextEntries(c -> c.contextKeyName("aws:SourceIp").contextKeyValues("10.1.2.3").contextKeyType(ContextKeyTypeEnum.IP),
                        c -> c.contextKeyName("s3:prefix").contextKeyValues("home/alice").contextKeyType(ContextKeyTypeEnum.STRING))).evaluationResults();
        assertThat(withIp.get(0).evalDecision()).isEqualTo(PolicyEvaluationDecisionType.ALLOWED);
        assertThat(withIp.get(0).matchedStatements().get(0).sourcePolicyId()).isEqualTo("PolicyInputList.1");
        assertThat(withIp.get(0).missingContextValues()).isEmpty();

        List<EvaluationResult> without = f.iam.simulateCustomPolicy(b -> b.policyInputList(doc).actionNames("s3:ListBucket")).evaluationResults();
        assertThat(without.get(0).evalDecision()).isEqualTo(PolicyEvaluationDecisionType.IMPLICIT_DENY);
        assertThat(without.get(0).missingContextValues()).containsExactlyInAnyOrder("aws:SourceIp", "s3:prefix");
    }

    @Test
    void badInput_getsIamsErrors() {
        assertThat(catchThrowableOfType(AwsServiceException.class, () -> f.iam.simulatePrincipalPolicy(b -> b.policySourceArn(
                "arn:aws:iam::123456789012:role/ghost").actionNames("s3:GetObject"))).statusCode()).isEqualTo(404);
        assertThat(catchThrowableOfType(AwsServiceException.class, () -> f.iam.simulateCustomPolicy(b -> b.policyInputList("{")
                .actionNames("s3:GetObject"))).awsErrorDetails().errorCode()).isEqualTo("MalformedPolicyDocument");
    }
}
