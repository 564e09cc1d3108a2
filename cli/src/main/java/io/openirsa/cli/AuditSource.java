package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.openirsa.core.audit.AuditPage;
import io.openirsa.core.audit.AuditQuery;
import io.openirsa.core.audit.AuditRecord;
import io.openirsa.store.JdbcStore;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Where {@code irsa audit} and {@code irsa explain} read records: a local server's data folder, or
 * the server the {@code AWS_*} environment points at, through CloudTrail's LookupEvents (SigV4, and
 * the caller's {@code cloudtrail:LookupEvents}). Remotely a caller sees what LookupEvents shows its
 * account, no more.
 */
interface AuditSource extends AutoCloseable {
    /** Records from {@code from} to now, newest first, that {@code keep} accepts, at most {@code limit}. */
    List<AuditRecord> select(String eventName, Instant from, Predicate<AuditRecord> keep, int limit) throws IOException;

    Optional<AuditRecord> byRequestId(String requestId) throws IOException;

    @Override
    void close() throws IOException;

    /**
     * The data folder when one is given, else the server of the {@code AWS_*} environment when it names
     * one, else the default data folder.
     */
    static AuditSource open(Path data, Map<String, String> env) throws IOException {
        if (data == null) {
            Optional<RemoteServer> remote = RemoteServer.fromEnvironment(env);
            if (remote.isPresent()) {
                return new Remote(remote.get());
            }
        }
        return new Local(new DataDir(DataDir.resolve(data)).store());
    }

    /** The store of a server's data folder: every record, the administrator's view. */
    record Local(JdbcStore store) implements AuditSource {
        @Override
        public List<AuditRecord> select(String eventName, Instant from, Predicate<AuditRecord> keep, int limit) {
            List<AuditRecord> out = new ArrayList<>();
            Long before = null;
            do {
                AuditPage page = store.lookupAudit(new AuditQuery(null, eventName == null ? null : "event_name", eventName, from, Instant.now(),
                        200, before));
                for (AuditRecord r : page.records()) {
                    if (keep.test(r) && out.size() < limit) {
                        out.add(r);
                    }
                }
                before = page.next();
            } while (before != null && out.size() < limit);
            return out;
        }

        @Override
        public Optional<AuditRecord> byRequestId(String requestId) {
            return store.auditByRequestId(requestId);
        }

        @Override
        public void close() {
            store.close();
        }
    }

    /** LookupEvents on a server, with the caller's credentials. */
    record Remote(RemoteServer server) implements AuditSource {
        static final String TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
        /** How far from the time in a request id its record may be: the server's clock against the id's. */
        static final Duration AROUND = Duration.ofMinutes(2);

        @Override
        public List<AuditRecord> select(String eventName, Instant from, Predicate<AuditRecord> keep, int limit) throws IOException {
            return lookup(eventName == null ? null : Map.of("AttributeKey", "EventName", "AttributeValue", eventName), from, Instant.now(),
                    keep, limit);
        }

        /**
         * OpenIRSA's request ids are time-ordered (UUID version 7): the record is looked for within
         * {@link #AROUND} of the id's time, as LookupEvents has no request-id attribute.
         */
        @Override
        public Optional<AuditRecord> byRequestId(String requestId) throws IOException {
            UUID id;
            try {
                id = UUID.fromString(requestId);
            } catch (IllegalArgumentException e) {
                throw new UserMistake(requestId + " is not a request id (a UUID, as in x-amzn-RequestId)");
            }
            if (id.version() != 7) {
                throw new UserMistake(requestId + " is not one of this server's request ids (they are time-ordered UUIDs)");
            }
            Instant at = Instant.ofEpochMilli(id.getMostSignificantBits() >>> 16);
            return lookup(null, at.minus(AROUND), at.plus(AROUND), r -> requestId.equals(r.requestId()), 1).stream().findFirst();
        }

        /** One page; throttled (two lookups a second per account), it backs off and asks again, as the SDKs do. */
        private JsonNode page(Map<String, Object> body) throws IOException {
            for (int attempt = 1; ; attempt++) {
                try {
                    return server.call("POST", "cloudtrail", "/", TARGET, body);
                } catch (RemoteServer.Refused e) {
                    if (!e.code.equals("ThrottlingException") || attempt == 5) {
                        throw new UserMistake("LookupEvents at " + server.endpoint() + ": " + e.code + ": " + e.getMessage());
                    }
                }
                try {
                    Thread.sleep(500L * attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UserMistake("interrupted");
                }
            }
        }

        private List<AuditRecord> lookup(Map<String, String> attribute, Instant from, Instant to, Predicate<AuditRecord> keep, int limit)
                throws IOException {
            List<AuditRecord> out = new ArrayList<>();
            String next = null;
            do {
                Map<String, Object> body = new LinkedHashMap<>();
                if (attribute != null) {
                    body.put("LookupAttributes", List.of(attribute));
                }
                body.put("StartTime", from.getEpochSecond());
                body.put("EndTime", to.getEpochSecond() + 1);
                body.put("MaxResults", 50);
                if (next != null) {
                    body.put("NextToken", next);
                }
                JsonNode page = page(body);
                for (JsonNode e : page.path("Events")) {
                    AuditRecord r = record(e);
                    if (keep.test(r) && out.size() < limit) {
                        out.add(r);
                    }
                }
                next = page.path("NextToken").asText(null);
            } while (next != null && out.size() < limit);
            return out;
        }

        private static AuditRecord record(JsonNode e) throws IOException {
            String json = e.path("CloudTrailEvent").asText();
            JsonNode event = RemoteServer.Json.MAPPER.readTree(json);
            JsonNode resource = e.path("Resources").path(0);
            return new AuditRecord(e.path("EventId").asText(), event.path("recipientAccountId").asText(null),
                    Instant.ofEpochMilli(e.path("EventTime").decimalValue().movePointRight(3).longValue()), e.path("EventName").asText(),
                    e.path("EventSource").asText(), e.path("ReadOnly").asBoolean(), e.path("Username").asText(null),
                    e.path("AccessKeyId").asText(null), resource.path("ResourceType").asText(null), resource.path("ResourceName").asText(null),
                    event.path("requestID").asText(null), event.path("errorCode").asText(null), json);
        }

        @Override
        public void close() {
        }
    }
}
