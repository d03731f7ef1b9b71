package dev.cumulus.metering;

import dev.cumulus.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;

/** Usage computed by SQL over {@code invocation_records}. */
final class JdbcUsage implements Usage {
    /** Memory in MB times billed ms, over this, gives GB-seconds (1 GB = 1024 MB). */
    private static final double MB_MS_PER_GB_SECOND = 1024.0 * 1000.0;

    // GB-seconds are summed as exact integers (MB x ms) and divided once, so the total is the
    // same whatever the order or grouping of the records.
    private static final String BY_FUNCTION = """
            SELECT function_name,
                   COUNT(*) AS requests,
                   SUM(CASE WHEN outcome <> 'SUCCESS' THEN 1 ELSE 0 END) AS errors,
                   SUM(CASE WHEN cold_start THEN 1 ELSE 0 END) AS cold_starts,
                   SUM(billed_ms) AS billed_ms,
                   SUM(billed_ms * memory_mb) AS mb_ms
            FROM invocation_records
            WHERE start_ms >= ? AND start_ms < ? AND project = ?
            GROUP BY function_name""";

    private static final String RECORDS = """
            SELECT request_id, function_name, version, start_ms, duration_micros, billed_ms, memory_mb,
                   cold_start, init_duration_micros, outcome, project
            FROM invocation_records
            WHERE start_ms >= ? AND start_ms < ?""";

    private final DataSource dataSource;

    JdbcUsage(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public List<UsageRow> byFunction(String project, Instant from, Instant to) {
        List<UsageRow> rows = query(BY_FUNCTION, from, to, project, rs -> new UsageRow(
                rs.getString("function_name"),
                rs.getLong("requests"),
                rs.getLong("errors"),
                rs.getLong("cold_starts"),
                rs.getLong("billed_ms"),
                rs.getLong("mb_ms") / MB_MS_PER_GB_SECOND));
        // Sorted here, not in SQL: PostgreSQL's collation may order names unlike SQLite's.
        rows.sort(Comparator.comparing(UsageRow::functionName));
        return rows;
    }

    @Override
    public List<InvocationRecord> records(Instant from, Instant to) {
        List<InvocationRecord> records = query(RECORDS, from, to, null, rs -> new InvocationRecord(
                rs.getString("request_id"),
                rs.getString("project"),
                rs.getString("function_name"),
                rs.getString("version"),
                Instant.ofEpochMilli(rs.getLong("start_ms")),
                rs.getLong("duration_micros"),
                rs.getLong("billed_ms"),
                rs.getInt("memory_mb"),
                rs.getBoolean("cold_start"),
                rs.getLong("init_duration_micros"),
                Outcome.valueOf(rs.getString("outcome"))));
        records.sort(Comparator.comparing(InvocationRecord::start).thenComparing(InvocationRecord::requestId));
        return records;
    }

    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** {@code project} null for a query that does not filter by project. */
    private <T> List<T> query(String sql, Instant from, Instant to, String project, RowMapper<T> mapper) {
        try (var connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            select.setLong(1, ceilMillis(from));
            select.setLong(2, ceilMillis(to));
            if (project != null) {
                select.setString(3, project);
            }
            try (ResultSet rs = select.executeQuery()) {
                List<T> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(mapper.map(rs));
                }
                return result;
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    // Starts are stored in whole milliseconds; rounding bounds up keeps [from, to) exact for them.
    static long ceilMillis(Instant instant) {
        try {
            long millis = instant.toEpochMilli();
            return instant.getNano() % 1_000_000 == 0 ? millis : millis + 1;
        } catch (ArithmeticException e) {
            return instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
