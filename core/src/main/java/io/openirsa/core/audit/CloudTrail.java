package io.openirsa.core.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openirsa.core.Caller;
import io.openirsa.core.Identifiers;
import io.openirsa.core.SecondsText;

import java.io.IOException;
import java.io.StringWriter;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Writes an {@link ApiCall} as the CloudTrail record AWS would write (eventVersion 1.08). */
public final class CloudTrail {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The mapper's factory, straight: a generator made through the mapper is configured on the way, 1 % of an exchange. */
    private static final JsonFactory FACTORY = JSON.getFactory();
    private static final SecondsText EVENT_TIME = new SecondsText();
    private static final SecondsText CREATION_DATE = new SecondsText();
    private static final List<String> READ_ONLY_PREFIXES = List.of("Get", "List", "Describe", "Lookup");

    private CloudTrail() {
    }

    public static AuditRecord record(ApiCall call) {
        String eventId = Identifiers.timeOrderedUuid();
        boolean readOnly = call.eventName.equals("AssumeRoleWithWebIdentity") || readOnlyName(call.eventName);
        // Streamed, not built as a tree and then written: the tree's maps were a third of the record's cost (JFR).
        StringWriter text = new StringWriter(4096); // an exchange's record is 1.5 KB, an assumed role's larger: no growing on the way
        try (JsonGenerator r = FACTORY.createGenerator(text)) {
            r.writeStartObject();
            r.writeStringField("eventVersion", "1.08");
            r.writeFieldName("userIdentity");
            userIdentity(r, call);
            r.writeStringField("eventTime", EVENT_TIME.format(call.time));
            r.writeStringField("eventSource", call.service + ".amazonaws.com");
            r.writeStringField("eventName", call.eventName);
            r.writeStringField("awsRegion", call.service.equals("iam") ? "us-east-1" : call.region);
            r.writeStringField("sourceIPAddress", call.sourceIp);
            r.writeStringField("userAgent", call.userAgent);
            if (call.error != null) {
                r.writeStringField("errorCode", call.error.code());
                r.writeStringField("errorMessage", ApiCall.bounded(call.error.getMessage()));
            }
            r.writeFieldName("requestParameters");
            value(r, call.requestParameters.isEmpty() ? null : call.requestParameters);
            r.writeFieldName("responseElements");
            value(r, call.error != null ? null : call.responseElements);
            boolean denial = call.error != null && call.error.denial() != null;
            boolean webIdentity = call.eventName.equals("AssumeRoleWithWebIdentity");
            boolean allowed = call.error == null && call.allowedBy != null;
            if (denial || webIdentity || allowed || call.parametersOmitted) {
                r.writeObjectFieldStart("additionalEventData");
                if (call.parametersOmitted) {
                    r.writeStringField("requestParametersOmitted", "larger than 100 KB");
                }
                if (denial) {
                    r.writeObjectFieldStart("denial");
                    r.writeStringField("stage", call.error.denial().stage().wireName());
                    r.writeStringField("reason", call.error.denial().reason());
                    r.writeStringField("fix", call.error.denial().fix());
                    r.writeEndObject();
                }
                if (allowed) {
                    r.writeStringField("allowedBy", call.allowedBy); // the trust policy's statement that allowed it
                }
                if (webIdentity) {
                    r.writeStringField("identityProviderConnectionVerificationMethod", "IAMTrustStore");
                }
                r.writeEndObject();
            }
            r.writeStringField("requestID", call.requestId);
            r.writeStringField("eventID", eventId);
            r.writeBooleanField("readOnly", readOnly);
            if (!call.resources.isEmpty()) {
                r.writeArrayFieldStart("resources");
                for (ApiCall.Resource x : call.resources) {
                    r.writeStartObject();
                    r.writeStringField("accountId", x.accountId());
                    r.writeStringField("type", x.type());
                    r.writeStringField("ARN", x.arn());
                    r.writeEndObject();
                }
                r.writeEndArray();
            }
            r.writeStringField("eventType", "AwsApiCall");
            r.writeBooleanField("managementEvent", true);
            r.writeStringField("recipientAccountId", call.recipientAccountId);
            r.writeStringField("eventCategory", "Management");
            r.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e); // into memory: only a value Jackson cannot write
        }
        ApiCall.Resource first = call.resources.isEmpty() ? null : call.resources.get(0);
        return new AuditRecord(eventId, call.recipientAccountId, call.time, call.eventName, call.service + ".amazonaws.com", readOnly, username(call),
                call.accessKeyId, first == null ? null : first.type(), first == null ? null : first.arn(), call.requestId,
                call.error == null ? null : call.error.code(), text.toString());
    }

    /**
     * A parameter value as Jackson's serializer writes it: maps (keys as strings), collections and the usual scalars
     * straight to the generator (the serializer's lookups were a fifth of the record, async-profiler),
     * anything else through the serializer.
     */
    static void value(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Integer n -> g.writeNumber(n);
            case Long n -> g.writeNumber(n);
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    // The maps are the calls' own, with names for keys; one pass (checking the keys first was 1.7 % of an exchange).
                    g.writeFieldName(e.getKey() instanceof String name ? name : String.valueOf(e.getKey()));
                    value(g, e.getValue());
                }
                g.writeEndObject();
            }
            case Collection<?> c -> {
                g.writeStartArray();
                for (Object x : c) {
                    value(g, x);
                }
                g.writeEndArray();
            }
            default -> g.writeObject(v);
        }
    }

    private static boolean readOnlyName(String eventName) {
        for (String prefix : READ_ONLY_PREFIXES) {
            if (eventName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static void userIdentity(JsonGenerator u, ApiCall call) throws IOException {
        u.writeStartObject();
        Caller c = call.caller;
        if (call.webIdentity != null) {
            u.writeStringField("type", "WebIdentityUser");
            u.writeStringField("principalId", call.webIdentity.providerArn() + ":" + call.webIdentity.audience() + ":" + call.webIdentity.subject());
            u.writeStringField("userName", call.webIdentity.subject());
            u.writeStringField("identityProvider", call.webIdentity.providerArn());
        } else if (c == null) {
            u.writeStringField("type", "Unknown");
        } else if (c.isRoot()) {
            u.writeStringField("type", "Root");
            u.writeStringField("principalId", c.accountId());
            u.writeStringField("arn", c.arn());
            u.writeStringField("accountId", c.accountId());
            u.writeStringField("accessKeyId", call.accessKeyId);
        } else {
            var s = c.session();
            u.writeStringField("type", "AssumedRole");
            u.writeStringField("principalId", c.userId());
            u.writeStringField("arn", c.arn());
            u.writeStringField("accountId", c.accountId());
            u.writeStringField("accessKeyId", call.accessKeyId);
            u.writeObjectFieldStart("sessionContext");
            u.writeObjectFieldStart("sessionIssuer");
            u.writeStringField("type", "Role");
            u.writeStringField("principalId", s.roleId());
            u.writeStringField("arn", s.roleArn());
            u.writeStringField("accountId", s.accountId());
            u.writeStringField("userName", s.roleName());
            u.writeEndObject();
            u.writeObjectFieldStart("attributes");
            u.writeStringField("creationDate", CREATION_DATE.format(s.issuedAt()));
            u.writeStringField("mfaAuthenticated", "false");
            u.writeEndObject();
            if (s.provider() != null) {
                u.writeObjectFieldStart("webIdFederationData");
                u.writeStringField("federatedProvider", s.provider());
                u.writeEndObject();
            }
            if (s.sourceIdentity() != null) {
                u.writeStringField("sourceIdentity", s.sourceIdentity());
            }
            u.writeEndObject();
        }
        u.writeEndObject();
    }

    /** What LookupEvents calls the Username: the subject of a web identity, the session name, or root. */
    private static String username(ApiCall call) {
        if (call.webIdentity != null) {
            return call.webIdentity.subject();
        }
        if (call.caller == null) {
            return null;
        }
        return call.caller.isRoot() ? "root" : call.caller.session().sessionName();
    }
}
