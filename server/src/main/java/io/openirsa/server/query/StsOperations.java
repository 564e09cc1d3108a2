package io.openirsa.server.query;

import io.openirsa.core.Caller;
import io.openirsa.core.OpenIrsa;
import io.openirsa.core.sts.AssumeRoleWithWebIdentityRequest;
import io.openirsa.core.sts.WebIdentitySession;

import java.util.Map;

/** STS actions on the query protocol. */
final class StsOperations {
    private final OpenIrsa domain;

    StsOperations(OpenIrsa domain) {
        this.domain = domain;
    }

    Map<String, QueryApi.Operation> operations() {
        return Map.of(
                "AssumeRoleWithWebIdentity", (caller, p, request) -> {
                    WebIdentitySession s = domain.sts().assumeRoleWithWebIdentity(new AssumeRoleWithWebIdentityRequest(
                            p.get("RoleArn"), p.get("RoleSessionName"), p.get("WebIdentityToken"),
                            p.integer("DurationSeconds", "durationSeconds"), p.get("Policy"), p.structList("PolicyArns", "arn"),
                            p.get("ProviderId"), request.sourceIp(), request.secure()));
                    return xml -> xml
                            .start("Credentials")
                            .el("AccessKeyId", s.credentials().accessKeyId())
                            .el("SecretAccessKey", s.credentials().secretAccessKey())
                            .el("SessionToken", s.credentials().sessionToken())
                            .el("Expiration", s.credentials().expiration())
                            .end()
                            .el("SubjectFromWebIdentityToken", s.subject())
                            .start("AssumedRoleUser")
                            .el("AssumedRoleId", s.assumedRoleId())
                            .el("Arn", s.assumedRoleArn())
                            .end()
                            .el("Provider", s.provider())
                            .el("Audience", s.audience())
                            .el("SourceIdentity", s.sourceIdentity());
                },
                "GetCallerIdentity", (caller, p, request) -> {
                    Caller c = domain.sts().getCallerIdentity(caller);
                    return xml -> xml.el("Arn", c.arn()).el("UserId", c.userId()).el("Account", c.accountId());
                });
    }
}
