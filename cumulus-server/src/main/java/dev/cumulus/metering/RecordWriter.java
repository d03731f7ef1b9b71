package dev.cumulus.metering;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/** Inserts a batch of invocation records in one transaction. */
final class RecordWriter {
    // A batch retried after a commit whose answer was lost must not count its records twice.
    private static final String INSERT = """
            INSERT INTO invocation_records (request_id, function_name, version, start_ms, duration_micros,
                billed_ms, memory_mb, cold_start, init_duration_micros, outcome, project)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (start_ms, request_id) DO NOTHING""";

    private final DataSource dataSource;

    RecordWriter(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    // The pool restores auto-commit when the connection goes back.
    void write(List<InvocationRecord> batch) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                for (InvocationRecord r : batch) {
                    insert.setString(1, r.requestId());
                    insert.setString(2, r.functionName());
                    insert.setString(3, r.version());
                    insert.setLong(4, r.start().toEpochMilli());
                    insert.setLong(5, r.durationMicros());
                    insert.setLong(6, r.billedMs());
                    insert.setInt(7, r.memoryMb());
                    insert.setBoolean(8, r.coldStart());
                    insert.setLong(9, r.initDurationMicros());
                    insert.setString(10, r.outcome().name());
                    insert.setString(11, r.project());
                    insert.addBatch();
                }
                insert.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        }
    }
}
