package io.openirsa.store;

import java.sql.SQLException;

/** The database failed; the server answers ServiceFailure (500) without details. */
public final class StoreException extends RuntimeException {
    public StoreException(SQLException cause) {
        super("database error: " + cause.getMessage(), cause);
    }
}
