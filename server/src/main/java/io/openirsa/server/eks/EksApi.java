package io.openirsa.server.eks;

import com.fasterxml.jackson.databind.JsonNode;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.core.OpenIrsa;
import io.openirsa.core.audit.ApiCall;
import io.openirsa.server.AuditedCall;
import io.openirsa.core.Page;
import io.openirsa.core.eks.Eks;
import io.openirsa.core.eks.PodIdentityAssociations;
import io.openirsa.core.model.Cluster;
import io.openirsa.core.model.PodIdentityAssociation;
import io.openirsa.server.Json;
import io.openirsa.server.WireRequest;
import io.openirsa.server.WireResponse;
import io.openirsa.server.sigv4.SigV4;
import io.openirsa.server.sigv4.SigV4Verifier;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The EKS API on REST-JSON: clusters ({@code /clusters}, {@code /clusters/{name}}), registered
 * clusters ({@code /cluster-registrations[/{name}]}) and their Pod Identity associations
 * ({@code /clusters/{name}/pod-identity-associations[/{id}]}).
 */
public final class EksApi {
    private static final AwsError BAD = AwsError.INVALID_PARAMETER_EXCEPTION;
    public static final String REGISTRATIONS = "cluster-registrations";
    private final OpenIrsa domain;
    private final SigV4Verifier verifier;

    public EksApi(OpenIrsa domain, SigV4Verifier verifier) {
        this.domain = domain;
        this.verifier = verifier;
    }

    public WireResponse handle(WireRequest request, List<String> segments, String requestId) {
        String eventName = segments.get(0).equals(REGISTRATIONS) ? switch (request.method() + " " + segments.size()) {
            case "POST 1" -> "RegisterCluster";
            case "DELETE 2" -> "DeregisterCluster";
            default -> "Unknown";
        } : isAssociations(segments) ? switch (request.method() + " " + segments.size()) {
            case "POST 3" -> "CreatePodIdentityAssociation";
            case "GET 3" -> "ListPodIdentityAssociations";
            case "GET 4" -> "DescribePodIdentityAssociation";
            case "POST 4" -> "UpdatePodIdentityAssociation";
            case "DELETE 4" -> "DeletePodIdentityAssociation";
            default -> "Unknown";
        } : switch (request.method() + " " + segments.size()) {
            case "POST 1" -> "CreateCluster";
            case "GET 1" -> "ListClusters";
            case "GET 2" -> "DescribeCluster";
            case "DELETE 2" -> "DeleteCluster";
            default -> "Unknown";
        };
        ApiCall audit = AuditedCall.start(domain, "eks", eventName, requestId, request, null);
        return AuditedCall.answer(domain, audit, () -> route(request, segments, audit), EksApi::error);
    }

    private WireResponse route(WireRequest request, List<String> segments, ApiCall audit) {
        if (!SigV4Verifier.isSigned(request)) {
            throw new AwsException(AwsError.MISSING_AUTHENTICATION_TOKEN_EXCEPTION, "Missing Authentication Token");
        }
        SigV4Verifier.Verified verified = verifier.verify(request);
        if (!verified.service().equals("eks")) {
            throw new AwsException(AwsError.INVALID_SIGNATURE_EXCEPTION, "Credential should be scoped to correct service: 'eks'.");
        }
        Caller caller = verified.caller();
        audit.caller(caller, verified.accessKeyId());
        if (isAssociations(segments)) {
            return associations(request, segments, caller, audit);
        }
        Eks eks = domain.eks();
        if (segments.size() == 2) {
            audit.parameter("name", segments.get(1));
            audit.resource("AWS::EKS::Cluster", Cluster.arn(domain.settings().region(), caller.accountId(), segments.get(1)),
                    caller.accountId());
        }
        String method = request.method();
        if (segments.get(0).equals(REGISTRATIONS)) {
            return registrations(request, segments, caller, audit);
        }
        if (segments.size() == 1 && method.equals("POST")) {
            JsonNode body = Json.readObject(request.body(), BAD);
            Map<String, String> tags = tags(body);
            audit.parameter("name", Json.text(body, "name", BAD)).parameter("version", Json.text(body, "version", BAD))
                    .parameter("roleArn", Json.text(body, "roleArn", BAD)).parameter("oidcIssuer", Json.text(body, "oidcIssuer", BAD));
            // oidcIssuer is OpenIRSA's extension (irsa cluster create --issuer): the public URL the cluster's issuer is published at.
            Cluster c = eks.createCluster(caller, Json.text(body, "name", BAD), Json.text(body, "version", BAD),
                    Json.text(body, "roleArn", BAD), tags, Json.text(body, "oidcIssuer", BAD));
            audit.resource("AWS::EKS::Cluster", c.arn(), caller.accountId());
            audit.responseElements(Map.of("cluster", cluster(c, "ACTIVE")));
            return ok(Map.of("cluster", cluster(c, "ACTIVE")));
        }
        if (segments.size() == 1 && method.equals("GET")) {
            Map<String, String> q = query(request.rawQuery());
            Page<String> page = eks.listClusters(caller, maxResults(q), q.get("nextToken"));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("clusters", page.items());
            if (page.truncated()) {
                out.put("nextToken", page.marker());
            }
            return ok(out);
        }
        if (segments.size() == 2 && method.equals("GET")) {
            return ok(Map.of("cluster", cluster(eks.describeCluster(caller, segments.get(1)), "ACTIVE")));
        }
        if (segments.size() == 2 && method.equals("DELETE")) {
            return ok(Map.of("cluster", cluster(eks.deleteCluster(caller, segments.get(1)), "DELETING")));
        }
        throw new AwsException(AwsError.UNKNOWN_OPERATION_EXCEPTION, "No operation at " + method + " " + request.rawPath());
    }

    /** The body's {@code tags}: null when absent, else a map of strings (a tag's value is never a number or a list). */
    private static Map<String, String> tags(JsonNode body) {
        JsonNode t = body.get("tags");
        if (t == null || t.isNull()) {
            return null;
        }
        if (!t.isObject()) {
            throw new AwsException(BAD, "tags must be a map of strings");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (var e : t.properties()) {
            if (!e.getValue().isTextual()) {
                throw new AwsException(BAD, "tags must be a map of strings");
            }
            tags.put(e.getKey(), e.getValue().asText());
        }
        return tags;
    }

    /**
     * RegisterCluster ({@code POST /cluster-registrations}) with OpenIRSA's fields {@code oidcIssuer},
     * {@code caBundle} and {@code discoveryToken}, and DeregisterCluster ({@code DELETE
     * /cluster-registrations/{name}}). The discovery token is never audited nor returned.
     */
    private WireResponse registrations(WireRequest request, List<String> segments, Caller caller, ApiCall audit) {
        Eks eks = domain.eks();
        if (segments.size() == 1 && request.method().equals("POST")) {
            JsonNode body = Json.readObject(request.body(), BAD);
            String name = Json.text(body, "name", BAD);
            String issuer = Json.text(body, "oidcIssuer", BAD);
            JsonNode connector = body.get("connectorConfig");
            String roleArn = connector != null && connector.isObject() ? Json.text(connector, "roleArn", BAD) : null;
            String provider = connector != null && connector.isObject() ? Json.text(connector, "provider", BAD) : null;
            if (provider != null && !CONNECTOR_PROVIDERS.contains(provider)) {
                throw new AwsException(BAD, "connectorConfig.provider must be one of " + CONNECTOR_PROVIDERS);
            }
            String caBundle = Json.text(body, "caBundle", BAD);
            String token = Json.text(body, "discoveryToken", BAD);
            audit.parameter("name", name).parameter("oidcIssuer", issuer).parameter("caBundle", caBundle == null ? null : "(PEM)")
                    .parameter("discoveryToken", token == null ? null : "(hidden)").parameter("roleArn", roleArn);
            audit.resource("AWS::EKS::Cluster", Cluster.arn(domain.settings().region(), caller.accountId(), name == null ? "" : name),
                    caller.accountId());
            Cluster c = eks.registerCluster(caller, name, issuer, caBundle, token, roleArn, tags(body));
            audit.responseElements(Map.of("cluster", cluster(c, "ACTIVE")));
            return ok(Map.of("cluster", cluster(c, "ACTIVE")));
        }
        if (segments.size() == 2 && request.method().equals("DELETE")) {
            return ok(Map.of("cluster", cluster(eks.deregisterCluster(caller, segments.get(1)), "DELETING")));
        }
        throw new AwsException(AwsError.UNKNOWN_OPERATION_EXCEPTION, "No operation at " + request.method() + " " + request.rawPath());
    }

    /** EKS's ConnectorConfigProvider values. */
    private static final List<String> CONNECTOR_PROVIDERS = List.of("EKS_ANYWHERE", "ANTHOS", "GKE", "AKS", "OPENSHIFT", "TANZU", "RANCHER",
            "EC2", "OTHER");

    /** {@code /clusters/{name}/pod-identity-associations[/{associationId}]}. */
    public static boolean isAssociations(List<String> segments) {
        return (segments.size() == 3 || segments.size() == 4) && segments.get(2).equals("pod-identity-associations");
    }

    private WireResponse associations(WireRequest request, List<String> segments, Caller caller, ApiCall audit) {
        PodIdentityAssociations associations = domain.podIdentityAssociations();
        String cluster = segments.get(1);
        audit.parameter("clusterName", cluster);
        String method = request.method();
        if (segments.size() == 3 && method.equals("GET")) {
            Map<String, String> q = query(request.rawQuery());
            Page<PodIdentityAssociation> page = associations.list(caller, cluster, q.get("namespace"), q.get("serviceAccount"),
                    maxResults(q), q.get("nextToken"));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("associations", page.items().stream().map(EksApi::summary).toList());
            if (page.truncated()) {
                out.put("nextToken", page.marker());
            }
            return ok(out);
        }
        PodIdentityAssociation a;
        if (segments.size() == 3 && method.equals("POST")) {
            JsonNode body = Json.readObject(request.body(), BAD);
            PodIdentityAssociations.Request r = associationRequest(body);
            audit.parameter("namespace", r.namespace()).parameter("serviceAccount", r.serviceAccount()).parameter("roleArn", r.roleArn())
                    .parameter("targetRoleArn", r.targetRoleArn());
            a = associations.create(caller, cluster, r);
        } else if (segments.size() == 4) {
            String id = segments.get(3);
            audit.parameter("associationId", id);
            a = switch (method) {
                case "GET" -> associations.describe(caller, cluster, id);
                case "POST" -> {
                    PodIdentityAssociations.Request r = associationRequest(Json.readObject(request.body(), BAD));
                    audit.parameter("roleArn", r.roleArn()).parameter("targetRoleArn", r.targetRoleArn());
                    yield associations.update(caller, cluster, id, r);
                }
                case "DELETE" -> associations.delete(caller, cluster, id);
                default -> throw new AwsException(AwsError.UNKNOWN_OPERATION_EXCEPTION, "No operation at " + method + " " + request.rawPath());
            };
        } else {
            throw new AwsException(AwsError.UNKNOWN_OPERATION_EXCEPTION, "No operation at " + method + " " + request.rawPath());
        }
        audit.resource("AWS::EKS::PodIdentityAssociation", a.arn(), caller.accountId());
        Map<String, Object> out = Map.of("association", association(a));
        if (!method.equals("GET")) {
            audit.responseElements(out);
        }
        return ok(out);
    }

    private static PodIdentityAssociations.Request associationRequest(JsonNode body) {
        Map<String, String> tags = tags(body);
        JsonNode disable = body.get("disableSessionTags");
        if (disable != null && !disable.isNull() && !disable.isBoolean()) {
            throw new AwsException(BAD, "disableSessionTags must be a boolean");
        }
        return new PodIdentityAssociations.Request(Json.text(body, "namespace", BAD), Json.text(body, "serviceAccount", BAD),
                Json.text(body, "roleArn", BAD), Json.text(body, "targetRoleArn", BAD), Json.text(body, "policy", BAD),
                disable == null || disable.isNull() ? null : disable.booleanValue(), tags, Json.text(body, "clientRequestToken", BAD));
    }

    private static Map<String, Object> association(PodIdentityAssociation a) {
        Map<String, Object> m = new LinkedHashMap<>(summary(a));
        m.put("roleArn", a.roleArn());
        m.put("tags", a.tags());
        m.put("createdAt", new BigDecimal(a.createdAt().toEpochMilli()).movePointLeft(3));
        m.put("modifiedAt", new BigDecimal(a.modifiedAt().toEpochMilli()).movePointLeft(3));
        m.put("disableSessionTags", a.disableSessionTags());
        if (a.targetRoleArn() != null) {
            m.put("targetRoleArn", a.targetRoleArn());
            m.put("externalId", a.externalId());
        }
        if (a.policy() != null) {
            m.put("policy", a.policy());
        }
        return m;
    }

    private static Map<String, Object> summary(PodIdentityAssociation a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clusterName", a.clusterName());
        m.put("namespace", a.namespace());
        m.put("serviceAccount", a.serviceAccount());
        m.put("associationArn", a.arn());
        m.put("associationId", a.associationId());
        return m;
    }

    private static Integer maxResults(Map<String, String> q) {
        if (!q.containsKey("maxResults")) {
            return null;
        }
        try {
            return Integer.valueOf(q.get("maxResults"));
        } catch (NumberFormatException e) {
            throw new AwsException(BAD, "maxResults must be a number");
        }
    }

    private Map<String, Object> cluster(Cluster c, String status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("arn", c.arn());
        m.put("createdAt", new BigDecimal(c.createdAt().toEpochMilli()).movePointLeft(3));
        if (c.registered()) { // its API server is its own; EKS shows a registered cluster's connector instead
            if (c.roleArn() != null) {
                m.put("connectorConfig", Map.of("roleArn", c.roleArn()));
            }
        } else {
            m.put("version", c.version());
            m.put("endpoint", domain.settings().clusterEndpointBase() + "/clusters/" + c.name());
            if (domain.settings().kubernetesUrl() != null) { // the CA that endpoint's certificate chains to, as EKS gives it
                m.put("certificateAuthority", Map.of("data", Base64.getEncoder().encodeToString(
                        domain.clusterCertificateAuthority().pem().getBytes(StandardCharsets.US_ASCII))));
            }
            if (c.roleArn() != null) {
                m.put("roleArn", c.roleArn());
            }
        }
        m.put("identity", Map.of("oidc", Map.of("issuer", c.issuer())));
        m.put("status", status);
        m.put("platformVersion", "eks.1");
        m.put("tags", c.tags());
        return m;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                q.putIfAbsent(SigV4.decode(part.substring(0, eq)), SigV4.decode(part.substring(eq + 1)));
            }
        }
        return q;
    }

    private static WireResponse ok(Object body) {
        return WireResponse.of(200, "application/json", Json.write(body));
    }

    /** REST-JSON errors: the code in x-amzn-ErrorType, the message in the body. */
    public static WireResponse error(AwsException e) {
        return WireResponse.of(e.status(), "application/json", Json.write(Map.of("message", e.getMessage())))
                .withHeader("x-amzn-ErrorType", e.code());
    }
}
