package io.openirsa.server.cloudtrail;

import com.fasterxml.jackson.databind.JsonNode;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.OpenIrsa;
import io.openirsa.core.audit.ApiCall;
import io.openirsa.core.audit.AuditRecord;
import io.openirsa.core.audit.LookupEvents;
import io.openirsa.server.AuditedCall;
import io.openirsa.server.Json;
import io.openirsa.server.WireRequest;
import io.openirsa.server.WireResponse;
import io.openirsa.server.sigv4.SigV4Verifier;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** CloudTrail on the JSON 1.1 protocol ({@code X-Amz-Target: ...CloudTrail_20131101.LookupEvents}). */
public final class CloudTrailApi {
    public static final String TARGET_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    private final OpenIrsa domain;
    private final SigV4Verifier verifier;

    public CloudTrailApi(OpenIrsa domain, SigV4Verifier verifier) {
        this.domain = domain;
        this.verifier = verifier;
    }

    public WireResponse handle(WireRequest request, String requestId) {
        String operation = request.header("x-amz-target").substring(TARGET_PREFIX.length());
        // Named as served, or "Unknown": a made-up operation must not become a metric label or an event name.
        ApiCall audit = AuditedCall.start(domain, "cloudtrail", operation.equals("LookupEvents") ? operation : "Unknown", requestId, request, null);
        return AuditedCall.answer(domain, audit, () -> {
            if (!SigV4Verifier.isSigned(request)) {
                throw new AwsException(AwsError.MISSING_AUTHENTICATION_TOKEN_EXCEPTION_JSON, "Missing Authentication Token");
            }
            SigV4Verifier.Verified v = verifier.verify(request);
            audit.caller(v.caller(), v.accessKeyId());
            if (!operation.equals("LookupEvents")) {
                throw new AwsException(AwsError.UNKNOWN_OPERATION_EXCEPTION_JSON, "Operation " + operation + " is not supported.");
            }
            return lookup(v, Json.readObject(request.body(), AwsError.SERIALIZATION_EXCEPTION), audit);
        }, e -> error(e));
    }

    /** A JSON 1.1 error: the code in {@code __type} and in x-amzn-ErrorType, the message beside it. */
    public static WireResponse error(AwsException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("__type", e.code());
        body.put("message", e.getMessage());
        return new WireResponse(e.status(), CONTENT_TYPE, Map.of("x-amzn-ErrorType", e.code()), Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    private WireResponse lookup(SigV4Verifier.Verified v, JsonNode body, ApiCall audit) {
        String key = null;
        String value = null;
        JsonNode attributes = body.path("LookupAttributes");
        if (attributes.size() > 1) {
            throw new AwsException(AwsError.INVALID_LOOKUP_ATTRIBUTES_EXCEPTION, "You can specify at most one lookup attribute.");
        }
        if (attributes.size() == 1) {
            key = attributes.get(0).path("AttributeKey").asText(null);
            value = attributes.get(0).path("AttributeValue").asText(null);
            audit.parameter("lookupAttributes", List.of(Json.object("attributeKey", String.valueOf(key), "attributeValue", String.valueOf(value))));
        }
        Instant start = time(body, "StartTime");
        Instant end = time(body, "EndTime");
        Integer max = null;
        if (body.has("MaxResults")) {
            if (!body.get("MaxResults").canConvertToInt()) {
                throw new AwsException(AwsError.INVALID_MAX_RESULTS_EXCEPTION, "MaxResults must be between 1 and 50.");
            }
            max = body.get("MaxResults").asInt();
        }
        String next = body.hasNonNull("NextToken") ? body.get("NextToken").asText() : null;
        LookupEvents.Result r = domain.lookupEvents().lookup(v.caller(), key, value, start, end, max, next);
        List<Map<String, Object>> events = new ArrayList<>();
        for (AuditRecord rec : r.page().records()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("EventId", rec.eventId());
            e.put("EventName", rec.eventName());
            e.put("ReadOnly", Boolean.toString(rec.readOnly()));
            if (rec.accessKeyId() != null) {
                e.put("AccessKeyId", rec.accessKeyId());
            }
            e.put("EventTime", new BigDecimal(rec.eventTime().toEpochMilli()).movePointLeft(3));
            e.put("EventSource", rec.eventSource());
            if (rec.username() != null) {
                e.put("Username", rec.username());
            }
            e.put("Resources", rec.resourceName() == null ? List.of() : List.of(Json.object("ResourceType", rec.resourceType(), "ResourceName", rec.resourceName())));
            e.put("CloudTrailEvent", rec.json());
            events.add(e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Events", events);
        if (r.nextToken() != null) {
            out.put("NextToken", r.nextToken());
        }
        return WireResponse.of(200, CONTENT_TYPE, Json.write(out));
    }

    /** JSON-protocol timestamps are epoch seconds (possibly fractional). */
    private static Instant time(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new AwsException(AwsError.SERIALIZATION_EXCEPTION, field + " must be a timestamp in epoch seconds");
        }
        return Instant.ofEpochMilli(n.decimalValue().movePointRight(3).longValue());
    }
}
