package dev.cumulus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.errors.ApiException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every backend of the Store must do; one subclass per backend runs it. */
abstract class DatabaseContract {
    @TempDir
    Path dir;

    TestDatabase test;

    abstract TestDatabase.Backend backend();

    @BeforeEach
    void open() {
        test = TestDatabase.create(backend(), dir);
    }

    @AfterEach
    void close() {
        test.close();
    }

    @Test
    void migrationsCreateTheTables() {
        assertThat(test.db().postgres()).isEqualTo(backend() == TestDatabase.Backend.POSTGRES);
        for (String table : List.of("code_packages", "functions", "function_versions", "invocation_records")) {
            long rows = test.db().withConnection(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertThat(rows).as(table).isZero();
        }
    }

    @Test
    void reopeningKeepsDataAndRunsNoMigrationTwice() {
        test.db().withConnection(c -> c.createStatement().executeUpdate(
                "INSERT INTO code_packages (sha256, size_bytes, created_at) VALUES ('abc', 1, 2)"));
        List<String> before = appliedMigrations(test.db());

        Database reopened = test.reopen();

        assertThat(appliedMigrations(reopened)).isEqualTo(before).isNotEmpty();
        long rows = reopened.withConnection(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT size_bytes FROM code_packages")) {
                rs.next();
                return rs.getLong(1);
            }
        });
        assertThat(rows).isEqualTo(1);
    }

    @Test
    void transactionRollsBackWhenWorkThrows() {
        assertThatThrownBy(() -> test.db().inTransaction(c -> {
                    c.createStatement().executeUpdate(
                            "INSERT INTO code_packages (sha256, size_bytes, created_at) VALUES ('x', 1, 2)");
                    throw ApiException.badRequest("Nope", "refused");
                }))
                .isInstanceOf(ApiException.class);

        long rows = test.db().withConnection(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM code_packages")) {
                rs.next();
                return rs.getLong(1);
            }
        });
        assertThat(rows).isZero();
    }

    @Test
    void foreignKeysAreEnforced() {
        assertThatThrownBy(() -> test.db().withConnection(c -> c.createStatement().executeUpdate("""
                        INSERT INTO functions (name, config, code_sha256, revision, last_version, created_at, updated_at)
                        VALUES ('f', '{}', 'no-such-code', 'r', 0, 1, 1)""")))
                .isInstanceOf(StoreException.class);
    }

    @Test
    void sqlErrorsBecomeStoreExceptions() {
        assertThatThrownBy(() -> test.db().withConnection(c -> c.createStatement().executeQuery("SELECT * FROM nowhere")))
                .isInstanceOf(StoreException.class)
                .hasCauseInstanceOf(SQLException.class);
    }

    private static List<String> appliedMigrations(Database db) {
        return db.withConnection(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT version FROM flyway_schema_history WHERE success = " + (db.postgres() ? "true" : "1")
                            + " ORDER BY installed_rank")) {
                List<String> versions = new ArrayList<>();
                while (rs.next()) {
                    versions.add(rs.getString(1));
                }
                return versions;
            }
        });
    }
}
