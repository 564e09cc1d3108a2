package io.openirsa.core.audit;

import io.openirsa.core.store.AuditTrail;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A call returns only once its record is committed; when it cannot be, the call fails. */
class AuditLogTest {

    /** Records in memory; appends fail while {@code failing} is set, as a database that is down. */
    private static final class MemoryTrail implements AuditTrail {
        final List<AuditRecord> records = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean failing = new AtomicBoolean();

        @Override
        public void appendAudit(List<AuditRecord> batch) {
            if (failing.get()) {
                throw new IllegalStateException("the database is down");
            }
            records.addAll(batch);
        }

        @Override
        public AuditPage lookupAudit(AuditQuery query) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<AuditRecord> auditByRequestId(String requestId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int deleteAuditBefore(Instant instant) {
            throw new UnsupportedOperationException();
        }
    }

    private static ApiCall call(String requestId) {
        return new ApiCall("sts", "GetCallerIdentity", requestId, Instant.now(), "us-east-1", "192.0.2.1", "test");
    }

    @Test
    void aCallReturns_withItsRecordCommitted_andFailsWhileTheTrailCannotCommit() {
        MemoryTrail trail = new MemoryTrail();
        try (AuditLog log = new AuditLog(trail)) {
            log.record(call("r1"));
            assertThat(trail.records).extracting(AuditRecord::requestId).containsExactly("r1");

            trail.failing.set(true);
            ApiCall refused = call("r2");
            assertThatThrownBy(() -> log.record(refused)).isInstanceOf(AuditLog.AuditNotCommitted.class);
            assertThat(refused.error.code()).isEqualTo("ServiceUnavailable");

            trail.failing.set(false); // the database is back: no restart needed
            log.record(call("r3"));
            assertThat(trail.records).extracting(AuditRecord::requestId).containsExactly("r1", "r3");
            assertThat(log.recordsCommitted()).isEqualTo(2);
        }
    }

    /** A call recorded once the log is closed is refused at once, not left waiting for a writer that has gone. */
    @Test
    void aCallAfterClose_isRefused() {
        MemoryTrail trail = new MemoryTrail();
        AuditLog log = new AuditLog(trail);
        log.record(call("r1"));
        log.close();
        assertThatThrownBy(() -> log.record(call("r2"))).isInstanceOf(AuditLog.AuditNotCommitted.class).hasMessage("the audit log is closed");
        assertThat(trail.records).extracting(AuditRecord::requestId).containsExactly("r1");
    }
}
