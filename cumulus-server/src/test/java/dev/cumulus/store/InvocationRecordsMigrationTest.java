package dev.cumulus.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * V23 re-keys invocation records on (start_ms, request_id): every record written before keeps all
 * its columns, the pair stays unique (a retried batch is not counted twice), and the same request
 * id at a later start (a retried asynchronous invocation) is a second record.
 */
class InvocationRecordsMigrationTest {
    private static final String COLUMNS = "request_id, function_name, version, start_ms, duration_micros, billed_ms,"
            + " memory_mb, cold_start, init_duration_micros, outcome, project";

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabase.Backend.class)
    void recordsWrittenBeforeKeepEveryColumnAndTheirUniqueness(TestDatabase.Backend backend) throws Exception {
        boolean postgres = backend == TestDatabase.Backend.POSTGRES;
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
        String url = postgres ? TestDatabase.POSTGRES_URL + "&currentSchema=" + schema
                : "jdbc:sqlite:" + dir.resolve("cumulus.db");
        if (postgres) {
            admin("CREATE SCHEMA " + schema);
        }
        try {
            Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target("22")
                    .placeholders(Database.placeholders(postgres)).load().migrate();
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO invocation_records (" + COLUMNS + ")"
                        + " VALUES ('r1', 'hello', '$LATEST', 2000, 1500, 2, 128, TRUE, 90000, 'SUCCESS', 'default')");
                s.executeUpdate("INSERT INTO invocation_records (" + COLUMNS + ")"
                        + " VALUES ('r0', 'other', '3', 1000, 700, 1, 256, FALSE, 0, 'ERROR', 'p')");
            }

            Database db = Database.open(postgres ? url : null, dir);
            try (db) {
                assertThat(rows(db, "SELECT " + COLUMNS + " FROM invocation_records ORDER BY start_ms")).containsExactly(
                        "r0|other|3|1000|700|1|256|false|0|ERROR|p",
                        "r1|hello|$LATEST|2000|1500|2|128|true|90000|SUCCESS|default");
                String insert = "INSERT INTO invocation_records (" + COLUMNS + ")"
                        + " VALUES ('r1', 'hello', '$LATEST', %d, 1, 1, 128, FALSE, 0, 'SUCCESS', 'default')"
                        + " ON CONFLICT (start_ms, request_id) DO NOTHING";
                db.withConnection(c -> c.createStatement().executeUpdate(insert.formatted(2000)));
                assertThat(rows(db, "SELECT request_id, start_ms FROM invocation_records WHERE request_id = 'r1'"))
                        .containsExactly("r1|2000");
                db.withConnection(c -> c.createStatement().executeUpdate(insert.formatted(3000)));
                assertThat(rows(db, "SELECT request_id, start_ms FROM invocation_records WHERE request_id = 'r1'"
                        + " ORDER BY start_ms")).containsExactly("r1|2000", "r1|3000");
            }
        } finally {
            if (postgres) {
                admin("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static List<String> rows(Database db, String sql) {
        return db.withConnection(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                List<String> rows = new ArrayList<>();
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> values = new ArrayList<>();
                    for (int i = 1; i <= columns; i++) {
                        Object value = rs.getObject(i);
                        // SQLite stores a boolean as 0 or 1
                        if (value instanceof Number n && rs.getMetaData().getColumnName(i).equals("cold_start")) {
                            value = n.intValue() != 0;
                        }
                        values.add(String.valueOf(value));
                    }
                    rows.add(String.join("|", values));
                }
                return rows;
            }
        });
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(TestDatabase.POSTGRES_URL); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
