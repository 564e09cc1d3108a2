package io.openirsa.store;

import io.openirsa.core.audit.ApiCall;
import io.openirsa.core.audit.AuditLog;
import io.openirsa.core.audit.AuditRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A call returns only once its record is committed; a call recorded once the log is closed is refused
 * at once instead of waiting for a writer that has gone; and while the database stalls, the records
 * waiting are bounded in size. (Outages: AuditReliabilityTest.)
 */
class AuditLogTest {
    private static ApiCall call(String requestId) {
        return new ApiCall("sts", "GetCallerIdentity", requestId, Instant.now(), "us-east-1", "192.0.2.1", "test");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aCallReturns_withItsRecordCommitted_andNoneIsTakenOnceClosed(String vendor) throws Exception {
        String first = StoreContractTest.requestId(Instant.now(), 1);
        String second = StoreContractTest.requestId(Instant.now(), 2);
        try (JdbcStore store = TestDatabases.open(vendor)) {
            AuditLog log = new AuditLog(store);
            log.record(call(first));
            assertThat(store.auditByRequestId(first)).map(AuditRecord::eventName).contains("GetCallerIdentity");

            log.close();
            assertThatThrownBy(() -> log.record(call(second))).isInstanceOf(AuditLog.AuditNotCommitted.class)
                    .hasMessage("the audit log is closed");
            assertThat(store.auditByRequestId(second)).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void whileTheDatabaseStalls_recordsWaitingAreBoundedInSize_andTheOthersCommitWhenItIsBack(String vendor) throws Exception {
        int callers = 120; // records of about 90 KB each: some 10 MiB in all, over what may wait
        AtomicInteger refused = new AtomicInteger();
        List<String> answered = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        try (JdbcStore store = TestDatabases.open(vendor); AuditLog log = new AuditLog(store)) {
            try (Connection stall = store.dataSource().getConnection(); Statement s = stall.createStatement()) {
                stall.setAutoCommit(false); // holds the write lock until the rollback: the audit writer's insert waits for it
                s.execute(vendor.equals("sqlite") ? "DELETE FROM audit_batches WHERE id < 0" : "LOCK TABLE audit_batches IN EXCLUSIVE MODE");
                for (int i = 0; i < callers; i++) {
                    String requestId = StoreContractTest.requestId(Instant.now(), i);
                    threads.add(Thread.ofVirtual().start(() -> {
                        try {
                            log.record(call(requestId).parameter("junk", "a".repeat(90_000)));
                            answered.add(requestId);
                        } catch (AuditLog.AuditNotCommitted e) {
                            assertThat(e).hasMessageContaining("MiB already wait for the database");
                            refused.incrementAndGet();
                        }
                    }));
                }
                for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); refused.get() == 0 && System.nanoTime() < until; ) {
                    Thread.sleep(20);
                }
                Thread.sleep(200);
                assertThat(answered).as("nothing is answered while the database stalls").isEmpty();
                stall.rollback();
            }
            for (Thread t : threads) {
                assertThat(t.join(java.time.Duration.ofSeconds(15))).isTrue();
            }
            assertThat(refused.get()).as("refused at once").isBetween(1, callers - 80);
            assertThat(answered).hasSize(callers - refused.get());
            assertThat(log.recordsCommitted()).isEqualTo(answered.size());
            for (String id : List.of(answered.getFirst(), answered.getLast())) {
                assertThat(store.auditByRequestId(id)).as(id).isPresent();
            }
        }
    }
}
