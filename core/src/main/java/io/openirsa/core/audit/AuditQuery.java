package io.openirsa.core.audit;

import java.time.Instant;

/**
 * A LookupEvents question: at most one attribute, a time range (inclusive), a page size, and where
 * the previous page ended.
 *
 * @param accountId only this account's records; null for every account (the administrator's own tools)
 * @param attribute the stored column the attribute filters on (event_name, username, ...), or null
 * @param before the sequence number the previous page ended at (exclusive), or null for the newest
 */
public record AuditQuery(String accountId, String attribute, String value, Instant start, Instant end, int limit, Long before) {
}
