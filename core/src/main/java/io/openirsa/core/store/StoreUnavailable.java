package io.openirsa.core.store;

/**
 * The store cannot be reached right now (no connection, connection lost), as opposed to refusing
 * a statement. What was read before may be served again from the cache; a write, and any call whose
 * audit record cannot be committed, is answered ServiceUnavailable (503).
 */
public class StoreUnavailable extends RuntimeException {
    public StoreUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
