package io.openirsa.core.store;

import io.openirsa.core.audit.AuditPage;
import io.openirsa.core.audit.AuditQuery;
import io.openirsa.core.audit.AuditRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where audit records are kept: appended in batches, one transaction each, and read newest first. */
public interface AuditTrail {
    /** How long a commit of audit records may take before it fails: its callers wait for it. */
    Duration COMMIT_WITHIN = Duration.ofSeconds(10);

    /**
     * Durably stores the batch (one transaction) before returning, or throws. Its statement runs at most
     * {@link #COMMIT_WITHIN}; getting a connection may take the pool's timeout before that.
     */
    void appendAudit(List<AuditRecord> batch);

    AuditPage lookupAudit(AuditQuery query);

    Optional<AuditRecord> auditByRequestId(String requestId);

    /** Removes records older than the instant; returns how many. */
    int deleteAuditBefore(Instant instant);
}
