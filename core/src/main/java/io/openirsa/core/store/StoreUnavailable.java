package io.openirsa.core.store;

/**
 * The store cannot be reached right now (no connection, connection lost), as opposed to refusing
 * a statement. What can wait (audit records) waits, what was read before may be served again, and
 * a write is answered with ServiceFailure.
 */
public class StoreUnavailable extends RuntimeException {
    public StoreUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
