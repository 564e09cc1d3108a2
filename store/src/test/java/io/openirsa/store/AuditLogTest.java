package io.openirsa.store;

import io.openirsa.core.audit.ApiCall;
import io.openirsa.core.audit.AuditLog;
import io.openirsa.core.audit.AuditRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A call returns only once its record is committed, and a call recorded once the log is closed is
 * refused at once instead of waiting for a writer that has gone. (Outages: AuditReliabilityTest.)
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
}
