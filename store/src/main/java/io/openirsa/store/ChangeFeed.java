package io.openirsa.store;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * PostgreSQL LISTEN on {@value #CHANNEL}: every replica's writes NOTIFY it, and each replica drops
 * its cached reads when it hears one. While the connection is down the cache is not trusted, since
 * changes may go unheard; on reconnect it starts fresh.
 */
final class ChangeFeed implements ReadCache.Changes {
    static final String CHANNEL = "openirsa_changes";
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    private static final int POLL_MILLIS = 250;
    /** A silent connection is checked this often, so a half-open one is noticed. */
    private static final int CHECK_EVERY_POLLS = 8;

    private final DataSource dataSource;
    private final ReadCache cache;
    private final Thread thread;
    private volatile boolean closed;

    ChangeFeed(DataSource dataSource, ReadCache cache) {
        this.dataSource = dataSource;
        this.cache = cache;
        this.thread = Thread.ofPlatform().daemon().name("openirsa-change-feed").start(this::listen);
    }

    private void listen() {
        boolean wasDown = false;
        while (!closed) {
            try (Connection c = dataSource.getConnection()) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                cache.trusted(true);
                cache.outage(false);
                if (wasDown) {
                    LOG.info("change feed reconnected: cached reads are in use again");
                    wasDown = false;
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                int quiet = 0;
                while (!closed) {
                    PGNotification[] heard = pg.getNotifications(POLL_MILLIS);
                    if (heard != null && heard.length > 0) {
                        cache.invalidate();
                        quiet = 0;
                    } else if (++quiet % CHECK_EVERY_POLLS == 0 && !c.isValid(2)) {
                        throw new SQLException("change feed connection is no longer valid");
                    }
                }
            } catch (SQLException | RuntimeException e) {
                cache.trusted(false);
                if (!wasDown && !closed) {
                    LOG.warn("change feed lost ({}): every read goes to the database until it is back", e.getMessage());
                    wasDown = true;
                }
                sleep(1000);
            }
        }
    }

    /** The NOTIFY a write sends, in the writer's transaction (delivered on commit). */
    static void announce(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("NOTIFY " + CHANNEL);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        ReadCache.Changes.stop(thread);
    }
}
