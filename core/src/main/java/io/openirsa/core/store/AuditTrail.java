package io.openirsa.core.store;

import io.openirsa.core.audit.AuditPage;
import io.openirsa.core.audit.AuditQuery;
import io.openirsa.core.audit.AuditRecord;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where audit records are kept: appended in batches, in one transaction each, and read newest first. */
public interface AuditTrail {

    /** Durably stores the batch (one transaction) before returning. */
    void appendAudit(List<AuditRecord> batch);

    /**
     * Whether a batch of one costs about what it costs in a larger batch (an append to a journal
     * file), so that a caller may append its own record rather than hand it to a group commit.
     */
    default boolean appendsSingly() {
        return false;
    }

    AuditPage lookupAudit(AuditQuery query);

    Optional<AuditRecord> auditByRequestId(String requestId);

    /** Removes records older than the instant; returns how many. */
    int deleteAuditBefore(Instant instant);
}
