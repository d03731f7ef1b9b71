package dev.cumulus.store;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done with one JDBC connection; see {@link Database#inTransaction(SqlWork)}. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
