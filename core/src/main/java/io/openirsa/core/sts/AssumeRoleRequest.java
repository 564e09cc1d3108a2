package io.openirsa.core.sts;

import java.util.List;
import java.util.Map;

/**
 * AssumeRole's parameters as they came over the wire (any may be null or empty). Where the request
 * came from travels with the caller ({@link io.openirsa.core.Caller.Origin}).
 */
public record AssumeRoleRequest(String roleArn, String roleSessionName, Integer durationSeconds, String externalId, String policy,
                                List<String> policyArns, Map<String, String> tags, List<String> transitiveTagKeys, String sourceIdentity) {
    public AssumeRoleRequest {
        policyArns = policyArns == null ? List.of() : List.copyOf(policyArns);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        transitiveTagKeys = transitiveTagKeys == null ? List.of() : List.copyOf(transitiveTagKeys);
    }
}
