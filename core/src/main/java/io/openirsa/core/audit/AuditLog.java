package io.openirsa.core.audit;

import io.openirsa.core.store.AuditTrail;
import io.openirsa.core.store.StoreUnavailable;
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
 * Appends audit records with group commit: callers hand over a record and wait until the batch it
 * went into is committed, so a record is on disk before the response it describes leaves, while
 * many concurrent calls share one transaction. If the store stops answering, records wait in
 * memory (up to {@value #MAX_PENDING}) and are written when it is back; meanwhile callers do not
 * wait for them, so an outage slows no answer. Where an append of one record costs what it costs in
 * a batch (SQLite's journal, {@link io.openirsa.core.store.AuditTrail#appendsSingly()}), the caller
 * appends its own record and the group commit is only the path of retries.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    static final int MAX_BATCH = 500;
    static final int MAX_PENDING = 100_000;

    private record Pending(AuditRecord record, CompletableFuture<Void> committed) {
    }

    private final AuditTrail trail;
    private final List<Consumer<ApiCall>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong lastWaitNanos = new AtomicLong();
    /** Commits and the records in them: with a group commit their ratio is its effect (2.5-3 under bench/run's load); a journal's caller commits one each. */
    private final LongAdder commits = new LongAdder();
    private final LongAdder committed = new LongAdder();
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    /** The last write failed: records are queued for a retry and callers do not wait. */
    private volatile boolean failing;

    public AuditLog(AuditTrail trail) {
        this.trail = trail;
        // A platform thread: SQLite's native code would hold one of the few virtual-thread carriers for each commit.
        this.writer = Thread.ofPlatform().daemon().name("audit-writer").start(this::write);
    }

    /** Called with every call recorded (metrics, the request log), after its record is written. */
    public void onRecord(Consumer<ApiCall> listener) {
        listeners.add(listener);
    }

    /** How long the last record waited for its commit (the audit write lag), in nanoseconds. */
    public long lastWaitNanos() {
        return lastWaitNanos.get();
    }

    /** Commits since start: group-commit transactions, or journal frames. */
    public long commits() {
        return commits.sum();
    }

    /** Records committed since start. */
    public long recordsCommitted() {
        return committed.sum();
    }

    /**
     * Records a call and returns once its record is committed, or at once while the store is
     * unreachable (the record then waits in memory).
     *
     * @return false if it is not committed yet (logged; the caller's answer is not changed)
     */
    public boolean record(ApiCall call) {
        boolean written = write(call);
        for (var l : listeners) {
            try {
                l.accept(call);
            } catch (RuntimeException e) {
                LOG.warn("an audit listener failed", e);
            }
        }
        return written;
    }

    /** Waits for the commit without a timeout (a timed wait costs a timer per call); the writer answers every caller. */
    private boolean write(ApiCall call) {
        long started = System.nanoTime();
        AuditRecord r = CloudTrail.record(call);
        if (closed) {
            LOG.error("audit log closed: the record of request {} ({}) is lost", r.requestId(), r.eventName());
            return false;
        }
        if (trail.appendsSingly() && !failing) {
            // A journal append costs the same alone as in a batch: the caller writes its own record and
            // skips two thread hand-offs. While the store fails, records go through the queue and its retries.
            try {
                trail.appendAudit(List.of(r));
                commits.increment();
                committed.increment();
                lastWaitNanos.set(System.nanoTime() - started);
                return true;
            } catch (StoreUnavailable e) {
                LOG.error("audit records cannot be written ({}); keeping them to retry", e.getMessage());
                failing = true;
            } catch (RuntimeException e) {
                LOG.error("the audit record of request {} ({}) could not be written", r.requestId(), r.eventName(), e);
                return false;
            }
        }
        Pending p = new Pending(r, new CompletableFuture<>());
        if (queue.size() >= MAX_PENDING) {
            LOG.error("{} audit records wait for the store: the record of request {} ({}) is lost", queue.size(), r.requestId(), r.eventName());
            return false;
        }
        queue.add(p);
        if (failing) {
            return false; // written when the store is back
        }
        try {
            p.committed.get();
            lastWaitNanos.set(System.nanoTime() - started);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StoreUnavailable) {
                return false; // queued, written when the store is back; the writer logs the outage once
            }
            LOG.error("the audit record of request {} ({}) could not be written", r.requestId(), r.eventName(), e.getCause());
            return false;
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
                long backoff = 100;
                while (true) {
                    try {
                        trail.appendAudit(batch.stream().map(Pending::record).toList());
                        commits.increment();
                        committed.add(batch.size());
                        batch.forEach(p -> p.committed.complete(null));
                        if (failing) {
                            LOG.info("audit records are written again");
                            failing = false;
                        }
                        break;
                    } catch (RuntimeException e) {
                        if (!(e instanceof StoreUnavailable)) {
                            // Refused, not unreachable: retrying would refuse again and hold up every later record.
                            LOG.error("{} audit records were refused by the store", batch.size(), e);
                            batch.forEach(p -> p.committed.completeExceptionally(e));
                            break;
                        }
                        if (!failing) {
                            LOG.error("audit records cannot be written ({}); keeping them to retry", e.getMessage());
                            failing = true;
                            // Callers waiting on this batch are answered now; their records stay queued.
                            batch.forEach(p -> p.committed.completeExceptionally(e));
                        }
                        if (closed) {
                            LOG.error("shutting down: {} audit records could not be written", batch.size() + queue.size());
                            return;
                        }
                        Thread.sleep(backoff);
                        backoff = Math.min(backoff * 2, 2000);
                    }
                }
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable e) { // callers wait without a timeout: whatever happens, they are answered
                LOG.error("{} audit records could not be written", batch.size(), e);
                batch.forEach(p -> p.committed.completeExceptionally(e));
                batch.clear();
            }
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
