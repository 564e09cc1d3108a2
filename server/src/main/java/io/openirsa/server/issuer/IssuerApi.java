package io.openirsa.server.issuer;

import com.fasterxml.jackson.databind.JsonNode;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.core.OpenIrsa;
import io.openirsa.core.audit.ApiCall;
import io.openirsa.server.AuditedCall;
import io.openirsa.core.issuer.ServiceAccountToken;
import io.openirsa.core.eks.Eks;
import io.openirsa.core.issuer.ClusterIssuers;
import io.openirsa.core.model.Cluster;
import io.openirsa.server.Json;
import io.openirsa.server.eks.EksApi;
import io.openirsa.server.WireRequest;
import io.openirsa.server.WireResponse;
import io.openirsa.server.sigv4.SigV4Verifier;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A cluster's issuer on the wire: discovery document and JWKS under {@code /id/{clusterId}}, as EKS
 * publishes them, and the Kubernetes TokenRequest endpoint under the cluster's endpoint
 * {@code /clusters/{name}}, authenticated as an EKS API server does (an {@code aws eks get-token}
 * bearer token) or by a SigV4 signature.
 */
public final class IssuerApi {
    private static final String CACHE = "public, max-age=3600";

    private final OpenIrsa domain;
    private final SigV4Verifier verifier;

    public IssuerApi(OpenIrsa domain, SigV4Verifier verifier) {
        this.domain = domain;
        this.verifier = verifier;
    }

    /**
     * GET {@code /id/{id}/.well-known/openid-configuration} and the key set at {@code /id/{id}/keys} (where EKS's
     * discovery points), {@code .../.well-known/jwks.json} and {@code /id/{id}/openid/v1/jwks} (kube-apiserver's path).
     */
    public WireResponse discovery(WireRequest request, List<String> segments) {
        Optional<Cluster> cluster = segments.size() >= 2 ? domain.issuers().clusterById(segments.get(1)) : Optional.empty();
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return WireResponse.of(405, "application/json", Json.write(Map.of("message", "Method Not Allowed")));
        }
        String rest = String.join("/", segments.subList(Math.min(2, segments.size()), segments.size()));
        if (cluster.isEmpty() || !(rest.equals(".well-known/openid-configuration") || rest.equals("keys")
                || rest.equals(".well-known/jwks.json") || rest.equals("openid/v1/jwks"))) {
            return WireResponse.of(404, "application/json", Json.write(Map.of("message", "Not Found")));
        }
        String body = rest.equals(".well-known/openid-configuration")
                ? Json.write(domain.issuers().discovery(cluster.get()))
                : domain.issuers().keys(cluster.get().id()).publicJwks().toString();
        return WireResponse.of(200, "application/json", body).withHeader("Cache-Control", CACHE);
    }

    /**
     * POST {@code /clusters/{name}/api/v1/namespaces/{ns}/serviceaccounts/{sa}/token}: audited, allowed
     * or not, as the event CreateServiceAccountToken (who asked, for which service account, audiences
     * and lifetime; never the token).
     */
    public WireResponse tokenRequest(WireRequest request, String requestId, String clusterName, String namespace, String serviceAccount) {
        ApiCall audit = AuditedCall.start(domain, "eks", "CreateServiceAccountToken", requestId, request, null);
        audit.parameter("clusterName", clusterName).parameter("namespace", namespace).parameter("serviceAccount", serviceAccount);
        return AuditedCall.answer(domain, audit, () -> {
            if (!request.method().equals("POST")) {
                throw new AwsException(AwsError.METHOD_NOT_ALLOWED, "the server does not allow this method on the requested resource");
            }
            SigV4Verifier.Verified verified = authenticate(request, clusterName);
            Caller caller = verified.caller();
            audit.caller(caller, verified.accessKeyId());
            audit.resource("AWS::EKS::Cluster", Cluster.arn(domain.settings().region(), caller.accountId(), clusterName),
                    caller.accountId());
            JsonNode spec = TokenRequestProtobuf.is(request.header("content-type")) ? TokenRequestProtobuf.spec(request.body())
                    : Json.readObject(request.body(), AwsError.BAD_REQUEST).path("spec");
            List<String> audiences = new ArrayList<>();
            spec.path("audiences").forEach(a -> audiences.add(a.asText()));
            Long seconds = spec.hasNonNull("expirationSeconds") ? spec.get("expirationSeconds").asLong() : null;
            JsonNode bound = spec.path("boundObjectRef");
            String podName = "Pod".equals(bound.path("kind").asText()) ? bound.path("name").asText(null) : null;
            String podUid = podName == null ? null : bound.path("uid").asText(null);
            audit.parameter("audiences", audiences).parameter("expirationSeconds", seconds).parameter("podName", podName);
            ServiceAccountToken token = domain.eks().createServiceAccountToken(caller, clusterName, namespace, serviceAccount,
                    audiences, seconds, podName, podUid);
            audit.responseElements(Json.object("expirationTimestamp", token.expiration().toString(), "audiences", token.audiences()));

            Map<String, Object> out = new LinkedHashMap<>();
            out.put("kind", "TokenRequest");
            out.put("apiVersion", "authentication.k8s.io/v1");
            out.put("metadata", Json.object("name", serviceAccount, "namespace", namespace));
            Map<String, Object> outSpec = new LinkedHashMap<>();
            outSpec.put("audiences", token.audiences());
            outSpec.put("expirationSeconds", token.expiration().getEpochSecond() - domain.settings().clock().instant().getEpochSecond());
            out.put("spec", outSpec);
            out.put("status", Json.object("token", token.token(), "expirationTimestamp", token.expiration().toString()));
            return WireResponse.of(201, "application/json", Json.write(out));
        }, IssuerApi::refusal);
    }

    /**
     * {@code /clusters/{name}/openirsa/v1/signer}, OpenIRSA's own, for {@code irsa signer} (a cluster's
     * external JWT signer): GET answers the longest token lifetime and the cluster's issuer, POST {@code {"claims": "..."}} signs
     * kube-apiserver's claims and answers {@code {"header": "...", "signature": "..."}}. Audited as
     * SignServiceAccountToken (subject, audiences, expiry; never the token).
     */
    public WireResponse signer(WireRequest request, String requestId, String clusterName) {
        boolean sign = request.method().equals("POST");
        ApiCall audit = AuditedCall.start(domain, "eks", sign ? "SignServiceAccountToken" : "GetSignerMetadata", requestId, request, null);
        audit.parameter("clusterName", clusterName);
        return AuditedCall.answer(domain, audit, () -> {
            if (!sign && !request.method().equals("GET")) {
                throw new AwsException(AwsError.METHOD_NOT_ALLOWED, "the server does not allow this method on the requested resource");
            }
            SigV4Verifier.Verified verified = signed(request);
            Caller caller = verified.caller();
            audit.caller(caller, verified.accessKeyId());
            audit.resource("AWS::EKS::Cluster", Cluster.arn(domain.settings().region(), caller.accountId(), clusterName), caller.accountId());
            if (!sign) {
                Eks.SignerMetadata m = domain.eks().signerMetadata(caller, clusterName);
                return WireResponse.of(200, "application/json", Json.write(Map.of("maxTokenExpirationSeconds", m.maxTokenSeconds(),
                        "issuer", m.issuer(), "keys", m.keys())));
            }
            String claims = Json.text(Json.readObject(request.body(), AwsError.BAD_REQUEST), "claims", AwsError.BAD_REQUEST);
            if (claims == null) {
                throw new AwsException(AwsError.BAD_REQUEST, "claims is required");
            }
            ClusterIssuers.ExternalSignature s = domain.eks().signForApiServer(caller, clusterName, claims);
            audit.parameter("subject", s.subject()).parameter("audiences", s.audiences());
            audit.responseElements(Json.object("expirationTimestamp", s.expiration().toString()));
            return WireResponse.of(200, "application/json", Json.write(Map.of("header", s.header(), "signature", s.signature())));
        }, IssuerApi::refusal);
    }

    /**
     * GET {@code /clusters/{name}/openirsa/v1/issuer}, OpenIRSA's own, for {@code irsa issuer export}: the
     * cluster's issuer URL and public keys, to publish on a static host; needs eks:DescribeCluster.
     */
    public WireResponse publishedIssuer(WireRequest request, String requestId, String clusterName) {
        ApiCall audit = AuditedCall.start(domain, "eks", "GetIssuerKeys", requestId, request, null);
        audit.parameter("clusterName", clusterName);
        return AuditedCall.answer(domain, audit, () -> {
            if (!request.method().equals("GET")) {
                throw new AwsException(AwsError.METHOD_NOT_ALLOWED, "the server does not allow this method on the requested resource");
            }
            SigV4Verifier.Verified verified = signed(request);
            audit.caller(verified.caller(), verified.accessKeyId());
            Eks.SignerMetadata m = domain.eks().publishedIssuer(verified.caller(), clusterName);
            return WireResponse.of(200, "application/json", Json.write(Map.of("issuer", m.issuer(), "keys", m.keys())));
        }, EksApi::error);
    }

    /**
     * Accepts an EKS bearer token ({@code k8s-aws-v1.} + base64url of a presigned GetCallerIdentity URL
     * that signs {@code x-k8s-aws-id: <cluster>}) or a SigV4-signed request.
     */
    private SigV4Verifier.Verified authenticate(WireRequest request, String clusterName) {
        String auth = request.header("authorization");
        if (auth != null && auth.startsWith("Bearer " + EksBearerToken.PREFIX)) {
            WireRequest presigned = EksBearerToken.presignedRequest(auth.substring("Bearer ".length()).trim(), clusterName, request);
            SigV4Verifier.Verified v = verifier.verify(presigned, EksBearerToken.VALIDITY);
            if (!v.service().equals("sts")) {
                throw new AwsException(AwsError.INVALID_CLIENT_TOKEN_ID_UNAUTHORIZED, "the bearer token must be signed for sts");
            }
            return v;
        }
        return signed(request);
    }

    /** A SigV4-signed request's caller; an unsigned request is Unauthorized. */
    private SigV4Verifier.Verified signed(WireRequest request) {
        if (!SigV4Verifier.isSigned(request)) {
            throw new AwsException(AwsError.MISSING_AUTHENTICATION_TOKEN_UNAUTHORIZED, "Unauthorized");
        }
        return verifier.verify(request);
    }

    /** A refusal as kube-apiserver words it: a Status with its reason. */
    private static WireResponse refusal(AwsException e) {
        return switch (e.status()) {
            case 401, 403 -> e.error() == AwsError.ACCESS_DENIED || e.error() == AwsError.ACCESS_DENIED_EXCEPTION
                    ? status(403, "Forbidden", e.getMessage()) : status(401, "Unauthorized", "Unauthorized");
            case 404 -> status(404, "NotFound", e.getMessage());
            case 405 -> status(405, "MethodNotAllowed", e.getMessage());
            default -> status(e.status() >= 500 ? 500 : 400, e.status() >= 500 ? "InternalError" : "BadRequest", e.getMessage());
        };
    }

    /** A Kubernetes Status object. */
    public static WireResponse status(int code, String reason, String message) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.put("metadata", Map.of());
        s.put("status", "Failure");
        s.put("message", message);
        s.put("reason", reason);
        s.put("code", code);
        return WireResponse.of(code, "application/json", Json.write(s));
    }
}
