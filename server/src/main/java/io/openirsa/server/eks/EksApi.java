package io.openirsa.server.eks;

import com.fasterxml.jackson.databind.JsonNode;
import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.core.OpenIrsa;
import io.openirsa.core.audit.ApiCall;
import io.openirsa.server.AuditedCall;
import io.openirsa.core.Page;
import io.openirsa.core.eks.Eks;
import io.openirsa.core.model.Cluster;
import io.openirsa.server.Json;
import io.openirsa.server.WireRequest;
import io.openirsa.server.WireResponse;
import io.openirsa.server.sigv4.SigV4;
import io.openirsa.server.sigv4.SigV4Verifier;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The EKS cluster API on REST-JSON: {@code /clusters} and {@code /clusters/{name}}. */
public final class EksApi {
    private static final String BAD = "InvalidParameterException";
    private final OpenIrsa domain;
    private final SigV4Verifier verifier;

    public EksApi(OpenIrsa domain, SigV4Verifier verifier) {
        this.domain = domain;
        this.verifier = verifier;
    }

    public WireResponse handle(WireRequest request, List<String> segments, String requestId) {
        String eventName = switch (request.method() + " " + segments.size()) {
            case "POST 1" -> "CreateCluster";
            case "GET 1" -> "ListClusters";
            case "GET 2" -> "DescribeCluster";
            case "DELETE 2" -> "DeleteCluster";
            default -> "Unknown";
        };
        ApiCall audit = AuditedCall.start(domain, "eks", eventName, requestId, request, null);
        WireResponse response = route(request, segments, audit);
        domain.audit().record(audit);
        return response;
    }

    private WireResponse route(WireRequest request, List<String> segments, ApiCall audit) {
        try {
            if (!SigV4Verifier.isSigned(request)) {
                throw new AwsException("MissingAuthenticationTokenException", 403, "Missing Authentication Token");
            }
            SigV4Verifier.Verified verified = verifier.verify(request);
            if (!verified.service().equals("eks")) {
                throw new AwsException("InvalidSignatureException", 403, "Credential should be scoped to correct service: 'eks'.");
            }
            Caller caller = verified.credential().caller();
            audit.caller(caller, verified.accessKeyId());
            Eks eks = domain.eks();
            if (segments.size() == 2) {
                audit.parameter("name", segments.get(1));
                audit.resource("AWS::EKS::Cluster", "arn:aws:eks:" + domain.settings().region() + ":" + caller.accountId() + ":cluster/" + segments.get(1),
                        caller.accountId());
            }
            String method = request.method();
            if (segments.size() == 1 && method.equals("POST")) {
                JsonNode body = Json.readObject(request.body(), BAD);
                Map<String, String> tags = new LinkedHashMap<>();
                JsonNode t = body.get("tags");
                if (t != null && t.isObject()) {
                    t.fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
                }
                audit.parameter("name", Json.text(body, "name", BAD)).parameter("version", Json.text(body, "version", BAD))
                        .parameter("roleArn", Json.text(body, "roleArn", BAD));
                Cluster c = eks.createCluster(caller, Json.text(body, "name", BAD), Json.text(body, "version", BAD),
                        Json.text(body, "roleArn", BAD), tags);
                audit.resource("AWS::EKS::Cluster", c.arn(), caller.accountId());
                audit.responseElements(Map.of("cluster", cluster(c, "ACTIVE")));
                return ok(Map.of("cluster", cluster(c, "ACTIVE")));
            }
            if (segments.size() == 1 && method.equals("GET")) {
                Map<String, String> q = query(request.rawQuery());
                Integer max = null;
                if (q.containsKey("maxResults")) {
                    try {
                        max = Integer.valueOf(q.get("maxResults"));
                    } catch (NumberFormatException e) {
                        throw new AwsException(BAD, 400, "maxResults must be a number");
                    }
                }
                Page<String> page = eks.listClusters(caller, max, q.get("nextToken"));
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
            throw new AwsException("UnknownOperationException", 404, "No operation at " + method + " " + request.rawPath());
        } catch (AwsException e) {
            audit.failed(e);
            return error(e);
        }
    }

    private Map<String, Object> cluster(Cluster c, String status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("arn", c.arn());
        m.put("createdAt", new BigDecimal(c.createdAt().toEpochMilli()).movePointLeft(3));
        m.put("version", c.version());
        m.put("endpoint", domain.settings().publicUrl() + "/clusters/" + c.name());
        if (c.roleArn() != null) {
            m.put("roleArn", c.roleArn());
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
