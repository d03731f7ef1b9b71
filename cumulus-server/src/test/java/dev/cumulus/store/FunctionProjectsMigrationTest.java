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
 * V10 rebuilds every table keyed by a function's name on (project, name): a Store written before
 * projects keeps every row, now in project {@code default}, with its foreign keys cascading.
 */
class FunctionProjectsMigrationTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabase.Backend.class)
    void rowsStoredBeforeProjectsBelongToTheDefaultProject(TestDatabase.Backend backend) throws Exception {
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
        String url = backend == TestDatabase.Backend.POSTGRES
                ? TestDatabase.POSTGRES_URL + "&currentSchema=" + schema
                : "jdbc:sqlite:" + dir.resolve("cumulus.db");
        if (backend == TestDatabase.Backend.POSTGRES) {
            admin("CREATE SCHEMA " + schema);
        }
        try {
            Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target("9").load()
                    .migrate();
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO code_packages (sha256, size_bytes, created_at) VALUES ('abc', 1, 1)");
                s.executeUpdate("INSERT INTO functions (name, config, code_sha256, revision, last_version, created_at,"
                        + " updated_at) VALUES ('hello', '{}', 'abc', 'r1', 1, 1, 1)");
                s.executeUpdate("INSERT INTO function_versions (function_name, version, config, code_sha256, created_at)"
                        + " VALUES ('hello', 1, '{}', 'abc', 1)");
                s.executeUpdate("INSERT INTO function_aliases (function_name, name, function_version, additional_ppm,"
                        + " description, revision, created_at, updated_at) VALUES ('hello', 'live', '1', 0, '', 'a', 1, 1)");
                s.executeUpdate("INSERT INTO lambda_tags (project, function_name, tag_key, tag_value)"
                        + " VALUES ('default', 'hello', 'team', 'a')");
                s.executeUpdate("INSERT INTO invocation_records (request_id, function_name, version, start_ms,"
                        + " duration_micros, billed_ms, memory_mb, cold_start, init_duration_micros, outcome)"
                        + " VALUES ('r', 'hello', '1', 1, 1, 1, 128, FALSE, 0, 'SUCCESS')");
            }

            Database db = Database.open(backend == TestDatabase.Backend.POSTGRES ? url : null, dir);
            try (db) {
                assertThat(column(db, "SELECT project FROM functions WHERE name = 'hello'")).containsExactly("default");
                assertThat(column(db, "SELECT project FROM function_versions")).containsExactly("default");
                assertThat(column(db, "SELECT project FROM function_aliases")).containsExactly("default");
                assertThat(column(db, "SELECT project FROM invocation_records")).containsExactly("default");
                // the same name in another project is another function
                db.withConnection(c -> c.createStatement().executeUpdate("INSERT INTO functions (project, name, config,"
                        + " code_sha256, revision, last_version, created_at, updated_at)"
                        + " VALUES ('other', 'hello', '{}', 'abc', 'r2', 0, 1, 1)"));
                assertThat(column(db, "SELECT project FROM functions ORDER BY project"))
                        .containsExactly("default", "other");
                // the rebuilt children still cascade from their function, and only from it
                db.withConnection(c -> c.createStatement().executeUpdate(
                        "DELETE FROM functions WHERE project = 'default' AND name = 'hello'"));
                assertThat(column(db, "SELECT function_name FROM function_versions")).isEmpty();
                assertThat(column(db, "SELECT function_name FROM function_aliases")).isEmpty();
                assertThat(column(db, "SELECT function_name FROM lambda_tags")).isEmpty();
                assertThat(column(db, "SELECT project FROM functions")).containsExactly("other");
            }
        } finally {
            if (backend == TestDatabase.Backend.POSTGRES) {
                admin("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static List<String> column(Database db, String sql) {
        return db.withConnection(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                List<String> values = new ArrayList<>();
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
                return values;
            }
        });
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(TestDatabase.POSTGRES_URL); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
