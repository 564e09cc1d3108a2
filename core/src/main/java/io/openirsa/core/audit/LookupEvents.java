package io.openirsa.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.core.iam.Permissions;
import io.openirsa.core.store.AuditTrail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/** CloudTrail's LookupEvents over the audit trail: one attribute, a time range, pages of 1-50, newest first. */
public final class LookupEvents {
    static final Duration HISTORY = Duration.ofDays(90);
    static final Map<String, String> ATTRIBUTES = Map.of("EventId", "event_id", "EventName", "event_name", "ReadOnly", "read_only",
            "Username", "username", "ResourceType", "resource_type", "ResourceName", "resource_name", "EventSource", "event_source",
            "AccessKeyId", "access_key_id");

    /**
     * CloudTrail's quota: two lookups a second per account (and region), else ThrottlingException.
     * Here it also bounds what one tenant's lookups cost everyone: each may read up to
     * {@code SCAN_BUDGET} records (about 0.1 s of CPU).
     */
    static final int PER_SECOND = 2;

    private final AuditTrail trail;
    private final Permissions permissions;
    private final Clock clock;
    /** Accounts' buckets; one idle for a second is full again, so forgetting it after ten changes nothing. */
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofSeconds(10)).build();

    public LookupEvents(AuditTrail trail, Permissions permissions, Clock clock) {
        this.trail = trail;
        this.permissions = permissions;
        this.clock = clock;
    }

    /** A token bucket of {@link #PER_SECOND} lookups, refilled continuously. */
    private static final class Bucket {
        private double tokens = PER_SECOND;
        private long at;

        Bucket(long now) {
            at = now;
        }

        synchronized boolean take(long now) {
            tokens = Math.min(PER_SECOND, tokens + (now - at) * PER_SECOND / 1e9);
            at = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A page and the NextToken for the next one (null on the last page). */
    public record Result(AuditPage page, String nextToken) {
    }

    /**
     * @param attributeKey null for no filter
     * @param start null: 90 days ago
     * @param end null: now
     * @param maxResults null: 50
     */
    public Result lookup(Caller caller, String attributeKey, String attributeValue, Instant start, Instant end, Integer maxResults,
                         String nextToken) {
        permissions.check(caller, "cloudtrail:LookupEvents", "*");
        long tick = System.nanoTime();
        if (!buckets.get(caller.accountId(), account -> new Bucket(tick)).take(tick)) {
            throw new AwsException(AwsError.THROTTLING_EXCEPTION, "Rate exceeded");
        }
        String column = null;
        if (attributeKey != null) {
            column = ATTRIBUTES.get(attributeKey);
            if (column == null) {
                throw new AwsException(AwsError.INVALID_LOOKUP_ATTRIBUTES_EXCEPTION, "Attribute key `" + attributeKey + "` is not one of "
                        + ATTRIBUTES.keySet().stream().sorted().toList());
            }
            if (attributeValue == null || attributeValue.isEmpty() || attributeValue.length() > 2000) {
                throw new AwsException(AwsError.INVALID_LOOKUP_ATTRIBUTES_EXCEPTION, "The attribute value must be 1 to 2000 characters");
            }
        }
        Instant now = clock.instant();
        Instant from = start == null ? now.minus(HISTORY) : start;
        Instant to = end == null ? now : end;
        if (from.isAfter(to)) {
            throw new AwsException(AwsError.INVALID_TIME_RANGE_EXCEPTION, "Start time must be before end time.");
        }
        int max = maxResults == null ? 50 : maxResults;
        if (max < 1 || max > 50) {
            throw new AwsException(AwsError.INVALID_MAX_RESULTS_EXCEPTION, "MaxResults must be between 1 and 50.");
        }
        String fingerprint = Integer.toHexString(Objects.hash(attributeKey, attributeValue, start, end));
        Long before = null;
        if (nextToken != null) {
            before = decode(nextToken, fingerprint);
        }
        AuditPage page = trail.lookupAudit(new AuditQuery(caller.accountId(), column, attributeValue, from, to, max, before));
        String next = page.next() == null ? null : Base64.getUrlEncoder().withoutPadding()
                .encodeToString((page.next() + ":" + fingerprint).getBytes(StandardCharsets.UTF_8));
        return new Result(new AuditPage(page.records().stream().map(LookupEvents::forTenant).toList(), page.next()), next);
    }

    /**
     * A record as the account's own callers see it: why the issuer's keys could not be fetched
     * (connection refused, an HTTP status, a private address) would tell a tenant about this server's
     * network, so LookupEvents says only that; the administrator's {@code irsa explain} reads the store.
     */
    static AuditRecord forTenant(AuditRecord r) {
        if (!r.json().contains("\"stage\":\"key-retrieval\"")) {
            return r;
        }
        try {
            ObjectNode event = (ObjectNode) JSON.readTree(r.json());
            JsonNode denial = event.path("additionalEventData").path("denial");
            if (denial instanceof ObjectNode d) {
                d.put("reason", "the identity provider's verification keys could not be retrieved (the server's administrator can see why)");
                d.put("fix", "check that the issuer serves its discovery document and JWKS over https on a public address");
            }
            return new AuditRecord(r.eventId(), r.accountId(), r.eventTime(), r.eventName(), r.eventSource(), r.readOnly(), r.username(),
                    r.accessKeyId(), r.resourceType(), r.resourceName(), r.requestId(), r.errorCode(), JSON.writeValueAsString(event));
        } catch (IOException | ClassCastException e) {
            return r;
        }
    }

    /** A token is only good for the parameters it was issued with, as CloudTrail's are. */
    private static Long decode(String token, String fingerprint) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":");
            if (parts.length == 2 && parts[1].equals(fingerprint)) {
                return Long.parseLong(parts[0]);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error
        }
        throw new AwsException(AwsError.INVALID_NEXT_TOKEN_EXCEPTION, "Invalid NextToken: it is not one of ours, or the other parameters changed.");
    }
}
