package io.openirsa.bench;

import io.openirsa.core.Identifiers;
import io.openirsa.core.audit.AuditRecord;
import io.openirsa.store.JdbcStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One group commit of audit records into the embedded store (SQLite, WAL): {@code batch} CloudTrail
 * records of {@code recordBytes} each in one transaction, a row each, what a request waits for.
 * Divide the time by {@code batch} for the cost per record. IDs are made as the server makes them
 * (time-ordered UUIDs).
 *
 * <p>Run: {@code ./mvnw -q -DskipTests package -pl bench -am && java -jar bench/target/benchmarks.jar AuditAppendBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuditAppendBenchmark {
    @Param({"1", "4", "16"}) // records per commit under load: openirsa_audit_records_total / openirsa_audit_commits_total
    int batch;

    @Param({"1500"})
    int recordBytes;

    JdbcStore store;
    Path data;
    String json;

    @Setup
    public void open() throws IOException {
        data = Files.createTempDirectory("openirsa-bench-audit");
        store = JdbcStore.sqlite(data);
        json = "{\"eventVersion\":\"1.08\",\"pad\":\"" + "x".repeat(Math.max(0, recordBytes - 32)) + "\"}";
    }

    @TearDown
    public void close() throws IOException {
        store.close();
        try (var files = Files.walk(data)) { // gigabytes after a run
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public void appendBatch() {
        List<AuditRecord> records = new ArrayList<>(batch);
        Instant now = Instant.now();
        for (int i = 0; i < batch; i++) {
            records.add(new AuditRecord(Identifiers.timeOrderedUuid(), "123456789012", now, "AssumeRoleWithWebIdentity", "sts.amazonaws.com",
                    true, "system:serviceaccount:default:app", null, "AWS::IAM::Role", "arn:aws:iam::123456789012:role/app",
                    Identifiers.timeOrderedUuid(), null, json));
        }
        store.appendAudit(records);
    }
}
