package io.openirsa.core.audit;

import java.time.Instant;

/**
 * A stored CloudTrail record: the fields LookupEvents filters on, and the record itself as JSON.
 *
 * @param accountId the account the record belongs to (recipientAccountId), or null
 * @param resourceType the first resource's type, or null
 * @param resourceName the first resource's ARN, or null
 */
public record AuditRecord(String eventId, String accountId, Instant eventTime, String eventName, String eventSource, boolean readOnly, String username,
                          String accessKeyId, String resourceType, String resourceName, String requestId, String errorCode, String json) {
}
