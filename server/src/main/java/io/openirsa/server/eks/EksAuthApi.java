package io.openirsa.server.eks;

import com.fasterxml.jackson.databind.JsonNode;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.core.OpenIrsa;
import io.openirsa.core.audit.ApiCall;
import io.openirsa.core.eks.PodIdentity;
import io.openirsa.core.sts.SessionCredentials;
import io.openirsa.server.AuditedCall;
import io.openirsa.server.Json;
import io.openirsa.server.WireRequest;
import io.openirsa.server.WireResponse;
import io.openirsa.server.sigv4.SigV4Verifier;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** EKS Auth on REST-JSON: {@code POST /clusters/{name}/assume-role-for-pod-identity}, signed for {@code eks-auth}. */
public final class EksAuthApi {
    public static final String SIGNING_NAME = "eks-auth";
    private final OpenIrsa domain;
    private final SigV4Verifier verifier;

    public EksAuthApi(OpenIrsa domain, SigV4Verifier verifier) {
        this.domain = domain;
        this.verifier = verifier;
    }

    /** {@code /clusters/{name}/assume-role-for-pod-identity}. */
    public static boolean handles(List<String> segments) {
        return segments.size() == 3 && segments.get(2).equals("assume-role-for-pod-identity");
    }

    public WireResponse handle(WireRequest request, List<String> segments, String requestId) {
        ApiCall audit = AuditedCall.start(domain, SIGNING_NAME, "AssumeRoleForPodIdentity", requestId, request, null);
        return AuditedCall.answer(domain, audit, () -> {
            if (!request.method().equals("POST")) {
                throw new AwsException(AwsError.UNKNOWN_OPERATION_EXCEPTION, "No operation at " + request.method() + " " + request.rawPath());
            }
            if (!SigV4Verifier.isSigned(request)) {
                throw new AwsException(AwsError.MISSING_AUTHENTICATION_TOKEN_EXCEPTION, "Missing Authentication Token");
            }
            SigV4Verifier.Verified verified = verifier.verify(request);
            if (!verified.service().equals(SIGNING_NAME)) {
                throw new AwsException(AwsError.INVALID_SIGNATURE_EXCEPTION, "Credential should be scoped to correct service: '" + SIGNING_NAME + "'.");
            }
            Caller caller = verified.caller();
            audit.caller(caller, verified.accessKeyId());
            String cluster = segments.get(1);
            audit.parameter("clusterName", cluster);
            JsonNode body = Json.readObject(request.body(), AwsError.INVALID_REQUEST_EXCEPTION);
            PodIdentity.Result r = domain.podIdentity().assumeRoleForPodIdentity(caller, cluster,
                    Json.text(body, "token", AwsError.INVALID_PARAMETER_EXCEPTION));
            audit.resource("AWS::EKS::PodIdentityAssociation", r.association().arn(), caller.accountId());
            if (r.session().decision() != null) {
                r.session().decision().deciding().ifPresent(d -> audit.allowedBy(d.statement().label()));
            }
            SessionCredentials c = r.session().credentials();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("subject", Json.object("namespace", r.namespace(), "serviceAccount", r.serviceAccount()));
            out.put("audience", PodIdentity.AUDIENCE);
            out.put("podIdentityAssociation", Json.object("associationArn", r.association().arn(), "associationId", r.association().associationId()));
            out.put("assumedRoleUser", Json.object("arn", r.session().assumedRoleArn(), "assumeRoleId", r.session().assumedRoleId()));
            Map<String, Object> credentials = new LinkedHashMap<>();
            credentials.put("sessionToken", c.sessionToken());
            credentials.put("secretAccessKey", c.secretAccessKey());
            credentials.put("accessKeyId", c.accessKeyId());
            credentials.put("expiration", c.expiration().getEpochSecond());
            out.put("credentials", credentials);
            // The audit keeps who got which key until when; never the secret or the session token.
            Map<String, Object> audited = new LinkedHashMap<>(out);
            audited.put("credentials", Json.object("accessKeyId", c.accessKeyId(), "expiration", c.expiration().toString()));
            audit.responseElements(audited);
            return WireResponse.of(200, "application/json", Json.write(out));
        }, e -> EksApi.error(e));
    }
}
