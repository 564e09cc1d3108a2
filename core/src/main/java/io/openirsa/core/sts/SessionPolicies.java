package io.openirsa.core.sts;

import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.DenialStage;
import io.openirsa.core.CompiledPolicies;

import io.openirsa.policy.PolicyKind;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.Optional;

/**
 * Session policies (an inline Policy and up to 10 PolicyArns) and session tags as AssumeRole* take
 * them: validated, and their packed size checked against the allowance.
 *
 * <p>AWS packs them into a compressed binary form whose exact size is not published; OpenIRSA counts
 * the inline policy's characters without white space, 64 per policy ARN and the characters of each
 * tag, against 2048. The percentage is what PackedPolicySize reports.
 */
public final class SessionPolicies {
    static final int ALLOWANCE = 2048;
    static final int MAX_ARNS = 10;

    private final CompiledPolicies compiled;
    private final BiFunction<String, String, Optional<String>> managedDocument;

    /** @param managedDocument the default document of a managed policy ARN, seen from an account (customer-managed or AWS managed) */
    public SessionPolicies(CompiledPolicies compiled, BiFunction<String, String, Optional<String>> managedDocument) {
        this.compiled = compiled;
        this.managedDocument = managedDocument;
    }

    /** @return the packed size in percent */
    public int packedSize(String accountId, String policy, List<String> policyArns, Map<String, String> tags) {
        if (policy != null) {
            if (policy.length() > ALLOWANCE) {
                throw AwsException.validation("1 validation error detected: Value at 'policy' failed to satisfy constraint: "
                        + "Member must have length less than or equal to " + ALLOWANCE);
            }
            compiled.compile(policy, PolicyKind.IDENTITY);
        }
        if (policyArns.size() > MAX_ARNS) {
            throw AwsException.validation("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: "
                    + "Member must have length less than or equal to " + MAX_ARNS);
        }
        for (String arn : policyArns) {
            if (managedDocument.apply(accountId, arn).isEmpty()) {
                throw AwsException.invalidInput("Policy " + arn + " does not exist or is not attachable.")
                        .explained(DenialStage.REQUEST_VALIDATION, "session policy ARN " + arn + " names no managed policy of account " + accountId
                                + " nor an AWS managed policy", "create it (aws iam create-policy) or fix the ARN");
            }
        }
        long size = (policy == null ? 0 : policy.chars().filter(c -> !Character.isWhitespace(c)).count()) + 64L * policyArns.size()
                + tags.entrySet().stream().mapToLong(e -> e.getKey().length() + e.getValue().length()).sum();
        int percent = (int) Math.ceil(size * 100.0 / ALLOWANCE);
        if (percent > 100) {
            throw new AwsException(AwsError.PACKED_POLICY_TOO_LARGE, "Packed policy consumes " + percent + "% of allotted space, please use smaller policy for session.");
        }
        return percent;
    }

}
