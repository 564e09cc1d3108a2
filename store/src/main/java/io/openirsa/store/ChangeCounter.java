package io.openirsa.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQLite's counterpart of {@link ChangeFeed}: triggers move {@code store_changes.n} on every change
 * to a cached table, whichever process writes the file, and this thread reads it every
 * {@value #POLL_MILLIS} ms. So another process's change (a CLI command on the same data folder) is
 * seen within that time, as a replica's change is with PostgreSQL; this process's own changes drop
 * the cache at once. ({@code PRAGMA data_version} would be simpler but moves with every audit commit.)
 */
final class ChangeCounter implements ReadCache.Changes {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeCounter.class);
    static final int POLL_MILLIS = 50;
    /** Polls between WAL checkpoints: about a second. */
    static final int CHECKPOINT_EVERY = 20;

    private final DataSource dataSource;
    private final ReadCache cache;
    private final Thread thread;
    private volatile boolean closed;
    private long seen = Long.MIN_VALUE;
    private boolean failing;

    ChangeCounter(DataSource dataSource, ReadCache cache) {
        this.dataSource = dataSource;
        this.cache = cache;
        this.thread = Thread.ofPlatform().daemon().name("openirsa-change-counter").start(this::poll);
    }

    private void poll() {
        int polls = 0;
        while (!closed) {
            catchUp();
            if (++polls % CHECKPOINT_EVERY == 0) {
                checkpoint();
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Reads the counter now: drops the cache if it moved, and trusts the cache once it is readable. */
    @Override
    public synchronized void catchUp() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT n FROM store_changes")) {
            long n = rs.next() ? rs.getLong(1) : -1;
            if (n != seen) {
                // The first read, and every move after it, starts the cache afresh; trusted only once counted.
                cache.trusted(true);
                seen = n;
            }
            if (failing) {
                LOG.info("store change counter readable again: cached reads are in use again");
                failing = false;
            }
        } catch (SQLException | RuntimeException e) {
            cache.trusted(false);
            seen = Long.MIN_VALUE;
            if (!failing && !closed) {
                LOG.warn("store change counter unreadable ({}): every read goes to the database until it is back", e.getMessage());
                failing = true;
            }
        }
    }

    /**
     * Copies the WAL back into the database here, not in the commit that crosses SQLite's threshold:
     * the audit writer's commit would wait for the copy and its fsync, and every call waits for that
     * commit (connections are opened with wal_autocheckpoint=0; docs/benchmarks.md). PASSIVE copies
     * without blocking the writer; RESTART then copies what was committed meanwhile, holding the writer
     * only for that, and makes the next commit start the WAL over. Without it the WAL never restarts
     * under steady writes: it grew by 1 GB in half a minute of bench/run.
     */
    private void checkpoint() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(PASSIVE)");
            s.execute("PRAGMA wal_checkpoint(RESTART)");
        } catch (SQLException | RuntimeException e) {
            LOG.debug("WAL checkpoint skipped: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        ReadCache.Changes.stop(thread);
    }
}
