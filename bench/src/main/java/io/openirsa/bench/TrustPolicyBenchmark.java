package io.openirsa.bench;

import io.openirsa.policy.Decision;
import io.openirsa.policy.Policy;
import io.openirsa.policy.PolicyKind;
import io.openirsa.policy.RequestContext;
import io.openirsa.policy.RequestPrincipal;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Evaluating the trust policy of the EKS IRSA guide (Federated OIDC principal, StringEquals on
 * {@code :sub} and {@code :aud}), compiled once as the server stores it, against the request
 * context STS builds for AssumeRoleWithWebIdentity. {@code allowed} is the service account the
 * policy names, {@code denied} another one (the decision then explains every statement).
 * {@code pattern} is the same with a StringLike namespace wildcard. With {@code statements} above 1,
 * statements for other service accounts come first and the allowed one is the last (more than IAM's
 * 2,048-character quota holds at 50: this measures the evaluator, not what IAM would accept).
 *
 * <p>Run: {@code ./mvnw -q -DskipTests package -pl policy,bench -am && java -jar bench/target/benchmarks.jar TrustPolicyBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TrustPolicyBenchmark {
    static final String PROVIDER_HOST = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    static final String PROVIDER_ARN = "arn:aws:iam::111122223333:oidc-provider/" + PROVIDER_HOST;

    @Param({"equals", "pattern"})
    String policyShape;

    @Param({"1", "50"})
    int statements;

    Policy policy;
    RequestContext allowed;
    RequestContext denied;

    @Setup
    public void setUp() {
        StringBuilder all = new StringBuilder();
        for (int i = statements - 1; i >= 0; i--) {
            String account = i == 0 ? "system:serviceaccount:default:my-service-account" : "system:serviceaccount:team-" + i + ":app";
            String sub = policyShape.equals("equals")
                    ? "\"StringEquals\":{\"" + PROVIDER_HOST + ":sub\":\"" + account + "\",\"" + PROVIDER_HOST + ":aud\":\"sts.amazonaws.com\"}"
                    : "\"StringLike\":{\"" + PROVIDER_HOST + ":sub\":\"" + account.replace(":my-service-account", ":*") + "\"},\"StringEquals\":{\""
                            + PROVIDER_HOST + ":aud\":\"sts.amazonaws.com\"}";
            all.append(all.isEmpty() ? "" : ",").append("{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"").append(PROVIDER_ARN)
                    .append("\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{").append(sub).append("}}");
        }
        policy = Policy.parse("{\"Version\":\"2012-10-17\",\"Statement\":[" + all + "]}", PolicyKind.TRUST);
        allowed = context("system:serviceaccount:default:my-service-account");
        denied = context("system:serviceaccount:kube-system:other");
    }

    static RequestContext context(String subject) {
        return RequestContext.builder()
                .principal(RequestPrincipal.federated(PROVIDER_ARN))
                .action("sts:AssumeRoleWithWebIdentity")
                .put(PROVIDER_HOST + ":sub", subject)
                .put(PROVIDER_HOST + ":aud", "sts.amazonaws.com")
                .put("sts:RoleSessionName", "botocore-session-1795959026")
                .put("aws:FederatedProvider", PROVIDER_ARN)
                .put("aws:CurrentTime", "2026-11-29T12:00:00Z")
                .put("aws:EpochTime", "1795953600")
                .put("aws:SourceIp", "10.0.0.12")
                .put("aws:SecureTransport", "true")
                .build();
    }

    @Benchmark
    public Decision allowed() {
        return policy.evaluate(allowed);
    }

    @Benchmark
    public Decision denied() {
        return policy.evaluate(denied);
    }

    /** Building the request context too, as each AssumeRoleWithWebIdentity does. */
    @Benchmark
    public Decision contextAndEvaluate() {
        return policy.evaluate(context("system:serviceaccount:default:my-service-account"));
    }
}
