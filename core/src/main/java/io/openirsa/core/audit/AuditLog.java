package io.openirsa.core.audit;

import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.Budget;
import io.openirsa.core.store.AuditTrail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Commits every call's audit record before the call's answer leaves, with group commit: one writer
 * gathers the records of concurrent calls into one transaction, and each caller waits for the one
 * its record went into. A record that cannot be committed (the database unreachable, its disk full,
 * any store error) fails its call with {@link AuditNotCommitted}: the call's answer is then an
 * AWS-shaped 503, never credentials or a change without a record (docs/deployment.md).
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    static final int MAX_BATCH = 500;
    /**
     * Characters of records waiting at most: past it a call fails at once, instead of holding memory while
     * the database stalls or large records pile up. A record is 1-4 KB; callers' text can make one some
     * 200 KB, and 512 connections of those would fill a 96 MiB heap.
     */
    static final long MAX_WAITING_CHARS = 8L << 20;

    /** A call's record could not be committed: the call must not succeed. */
    public static final class AuditNotCommitted extends RuntimeException {
        AuditNotCommitted(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /** @param size the record's characters, its share of {@link #waiting} */
    private record Pending(AuditRecord record, long size, CompletableFuture<Void> committed) {
    }

    private final AuditTrail trail;
    private final List<Consumer<ApiCall>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong lastWaitNanos = new AtomicLong();
    /** Transactions and the records in them: their ratio is the group commit's effect. */
    private final LongAdder commits = new LongAdder();
    private final LongAdder committed = new LongAdder();
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** The characters of the records waiting: queued, or in the commit under way. */
    private final Budget waiting = new Budget(MAX_WAITING_CHARS);
    private final Thread writer;
    private volatile boolean closed;
    /** The last commit failed: logged once until one succeeds again. */
    private volatile boolean failing;

    public AuditLog(AuditTrail trail) {
        this.trail = trail;
        // A platform thread: SQLite's native code would hold one of the few virtual-thread carriers for each commit.
        this.writer = Thread.ofPlatform().daemon().name("audit-writer").start(this::write);
    }

    /** Called with every call recorded or refused for want of a record (metrics, the request log). */
    public void onRecord(Consumer<ApiCall> listener) {
        listeners.add(listener);
    }

    /** How long the last record waited for its commit (the audit write lag), in nanoseconds. */
    public long lastWaitNanos() {
        return lastWaitNanos.get();
    }

    /** Transactions committed since start. */
    public long commits() {
        return commits.sum();
    }

    /** Records committed since start. */
    public long recordsCommitted() {
        return committed.sum();
    }

    /**
     * Records a call; returns once its record is committed.
     *
     * @throws AuditNotCommitted if it could not be: the caller answers ServiceUnavailable instead
     */
    public void record(ApiCall call) {
        AuditNotCommitted failure = null;
        try {
            commit(CloudTrail.record(call));
        } catch (AuditNotCommitted e) {
            failure = e;
            // As the wire names it, for the request log and metrics: EKS's and eks-auth's REST-JSON have their own code for it.
            call.failed(new AwsException(call.service().startsWith("eks") ? AwsError.SERVICE_UNAVAILABLE_EXCEPTION : AwsError.SERVICE_UNAVAILABLE,
                    "Service is unable to handle request."));
        }
        for (var l : listeners) {
            try {
                l.accept(call);
            } catch (RuntimeException e) {
                LOG.warn("an audit listener failed", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void commit(AuditRecord r) {
        long started = System.nanoTime();
        Pending p = new Pending(r, r.json().length(), new CompletableFuture<>());
        if (closed) {
            throw new AuditNotCommitted("the audit log is closed", null);
        }
        if (!waiting.take(p.size())) {
            throw new AuditNotCommitted("audit records of " + (MAX_WAITING_CHARS >> 20) + " MiB already wait for the database", null);
        }
        queue.add(p);
        if (closed && queue.remove(p)) {
            // Closed between the check and the offer: the writer may have gone, and nobody would answer this record.
            // Taken out here, or else taken by the writer, which answers every record it takes.
            waiting.give(p.size());
            throw new AuditNotCommitted("the audit log is closed", null);
        }
        try {
            // Without a timeout: a timed wait costs a timer per call (docs/benchmarks.md). The store bounds each
            // commit ({@link AuditTrail#appendAudit}) and the writer answers every caller.
            p.committed.get();
            lastWaitNanos.set(System.nanoTime() - started);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditNotCommitted("interrupted", e);
        } catch (ExecutionException e) {
            throw new AuditNotCommitted("the database did not commit the record", e.getCause());
        }
    }

    private void write() {
        List<Pending> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                trail.appendAudit(batch.stream().map(Pending::record).toList());
                commits.increment();
                committed.add(batch.size());
                batch.forEach(p -> p.committed.complete(null));
                if (failing) {
                    LOG.info("audit records are committed again");
                    failing = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable e) { // callers wait for an answer: whatever happens, they get one
                if (!failing) {
                    LOG.error("audit records cannot be committed: their calls are answered ServiceUnavailable until they can ({})", e.toString());
                    failing = true;
                }
                batch.forEach(p -> p.committed.completeExceptionally(e));
            }
            waiting.give(batch.stream().mapToLong(Pending::size).sum());
            batch.clear();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
