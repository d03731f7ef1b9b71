package dev.cumulus.store;

import java.sql.SQLException;

/** The database failed (not the caller's input): the edge answers 500 and the cause is logged. */
public final class StoreException extends RuntimeException {
    public StoreException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    public StoreException(String message, SQLException cause) {
        super(message, cause);
    }
}
