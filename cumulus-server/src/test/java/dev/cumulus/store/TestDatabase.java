package dev.cumulus.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh, empty Store for one test: an SQLite file in a temp dir, or a PostgreSQL schema of its
 * own that is dropped on close, so tests never see each other's rows.
 */
public final class TestDatabase implements AutoCloseable {
    /** Where PostgreSQL tests run; override with CUMULUS_TEST_POSTGRES_URL. */
    public static final String POSTGRES_URL = System.getenv()
            .getOrDefault("CUMULUS_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    public enum Backend {
        SQLITE,
        POSTGRES
    }

    private final Backend backend;
    private final Path dataDir;
    private final String schema;
    private Database db;

    private TestDatabase(Backend backend, Path dataDir, String schema) {
        this.backend = backend;
        this.dataDir = dataDir;
        this.schema = schema;
        this.db = Database.open(jdbcUrl(), dataDir);
    }

    public static TestDatabase create(Backend backend, Path dataDir) {
        if (backend == Backend.SQLITE) {
            return new TestDatabase(backend, dataDir, null);
        }
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
        admin("CREATE SCHEMA " + schema);
        return new TestDatabase(backend, dataDir, schema);
    }

    public Database db() {
        return db;
    }

    public Backend backend() {
        return backend;
    }

    /** The JDBC URL this test's Database uses, or null for SQLite. */
    public String jdbcUrl() {
        return schema == null ? null : POSTGRES_URL + "&currentSchema=" + schema;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Closes the Database and opens it again on the same storage, as a node restart does. */
    public Database reopen() {
        db.close();
        db = Database.open(jdbcUrl(), dataDir);
        return db;
    }

    @Override
    public void close() {
        db.close();
        if (schema != null) {
            admin("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(POSTGRES_URL);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL for tests is not reachable at " + POSTGRES_URL, e);
        }
    }
}
