package io.openirsa.server.query;

import io.openirsa.core.Caller;
import io.openirsa.core.OpenIrsa;
import io.openirsa.core.WebIdentity;
import io.openirsa.core.sts.AssumeRoleRequest;
import io.openirsa.core.sts.AssumeRoleWithWebIdentityRequest;
import io.openirsa.core.sts.RoleSession;
import io.openirsa.core.sts.SessionCredentials;
import io.openirsa.core.sts.WebIdentitySession;

import io.openirsa.server.Json;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** STS actions on the query protocol. */
final class StsOperations {
    /** How CloudTrail writes credential expirations: "Apr 16, 2025, 3:46:56 AM". */
    static final DateTimeFormatter CLOUDTRAIL_TIME = DateTimeFormatter.ofPattern("MMM d, yyyy, h:mm:ss a", Locale.US).withZone(ZoneOffset.UTC);

    private final OpenIrsa domain;

    StsOperations(OpenIrsa domain) {
        this.domain = domain;
    }

    Map<String, QueryApi.Operation> operations() {
        return Map.of(
                "AssumeRoleWithWebIdentity", (caller, p, request, audit) -> {
                    WebIdentitySession s = domain.sts().assumeRoleWithWebIdentity(new AssumeRoleWithWebIdentityRequest(
                            p.get("RoleArn"), p.get("RoleSessionName"), p.get("WebIdentityToken"),
                            p.integer("DurationSeconds", "durationSeconds"), p.get("Policy"), p.structList("PolicyArns", "arn"),
                            p.get("ProviderId"), request.sourceIp(), request.secure()));
                    audit.webIdentity(new WebIdentity(s.provider(), s.audience(), s.subject()));
                    s.decision().deciding().ifPresent(d -> audit.allowedBy(d.statement().label()));
                    Map<String, Object> elements = new LinkedHashMap<>();
                    elements.put("credentials", audited(s.credentials()));
                    elements.put("subjectFromWebIdentityToken", s.subject());
                    elements.put("assumedRoleUser", assumedRoleUser(s.assumedRoleId(), s.assumedRoleArn()));
                    elements.put("provider", s.provider());
                    elements.put("audience", s.audience());
                    if (s.sourceIdentity() != null) {
                        elements.put("sourceIdentity", s.sourceIdentity());
                    }
                    audit.responseElements(elements);
                    return xml -> credentials(xml, s.credentials())
                            .el("SubjectFromWebIdentityToken", s.subject())
                            .start("AssumedRoleUser")
                            .el("AssumedRoleId", s.assumedRoleId())
                            .el("Arn", s.assumedRoleArn())
                            .end()
                            .el("Provider", s.provider())
                            .el("Audience", s.audience())
                            .el("SourceIdentity", s.sourceIdentity());
                },
                "AssumeRole", (caller, p, request, audit) -> {
                    RoleSession s = domain.sts().assumeRole(caller, new AssumeRoleRequest(p.get("RoleArn"), p.get("RoleSessionName"),
                            p.integer("DurationSeconds", "durationSeconds"), p.get("ExternalId"), p.get("Policy"), p.structList("PolicyArns", "arn"),
                            p.tags("Tags"), p.list("TransitiveTagKeys"), p.get("SourceIdentity")));
                    audit.resource("AWS::IAM::Role", p.get("RoleArn"), s.assumedRoleArn().split(":")[4]);
                    s.decision().deciding().ifPresent(d -> audit.allowedBy(d.statement().label()));
                    audit.responseElements(Json.object("credentials", audited(s.credentials()),
                            "assumedRoleUser", assumedRoleUser(s.assumedRoleId(), s.assumedRoleArn())));
                    return xml -> credentials(xml, s.credentials())
                            .start("AssumedRoleUser")
                            .el("AssumedRoleId", s.assumedRoleId())
                            .el("Arn", s.assumedRoleArn())
                            .end()
                            .el("PackedPolicySize", s.packedPolicySize())
                            .el("SourceIdentity", s.sourceIdentity());
                },
                "GetCallerIdentity", (caller, p, request, audit) -> {
                    Caller c = domain.sts().getCallerIdentity(caller);
                    return xml -> xml.el("Arn", c.arn()).el("UserId", c.userId()).el("Account", c.accountId());
                });
    }

    /** The Credentials element both assume calls answer with. */
    private static Xml credentials(Xml xml, SessionCredentials c) {
        return xml.start("Credentials")
                .el("AccessKeyId", c.accessKeyId())
                .el("SecretAccessKey", c.secretAccessKey())
                .el("SessionToken", c.sessionToken())
                .el("Expiration", c.expiration())
                .end();
    }

    /** The assumed role as CloudTrail records it, in its order. */
    private static Map<String, Object> assumedRoleUser(String assumedRoleId, String arn) {
        return Json.object("assumedRoleId", assumedRoleId, "arn", arn);
    }

    /** The credentials as CloudTrail records them: the key id and expiry; the session token never. */
    private static Map<String, Object> audited(SessionCredentials c) {
        Map<String, Object> credentials = new LinkedHashMap<>();
        credentials.put("accessKeyId", c.accessKeyId());
        credentials.put("sessionToken", "");
        credentials.put("expiration", CLOUDTRAIL_TIME.format(c.expiration()));
        return credentials;
    }
}
