package dev.cumulus.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The node's one relational database: an SQLite file in embedded mode or PostgreSQL in a cluster,
 * behind a connection pool, migrated to the current schema when opened.
 */
public final class Database implements AutoCloseable {
    /**
     * SQLite has one writer at a time; a few connections let readers run beside it (WAL) while
     * writers queue on the busy timeout instead of failing.
     */
    static final int SQLITE_POOL_SIZE = 4;

    static final int POSTGRES_POOL_SIZE = 10;
    static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;

    private final HikariDataSource pool;
    private final boolean postgres;

    private Database(HikariDataSource pool, boolean postgres) {
        this.pool = pool;
        this.postgres = postgres;
    }

    /**
     * Opens and migrates the database.
     *
     * @param jdbcUrlOrNull a {@code jdbc:postgresql:} URL, or null for the SQLite file
     *     {@code dataDir/cumulus.db}
     */
    public static Database open(String jdbcUrlOrNull, Path dataDir) {
        boolean postgres = jdbcUrlOrNull != null;
        if (!postgres) {
            SqliteNativeLibrary.useFrom(dataDir); // before the first connection loads it
        }
        HikariDataSource pool = postgres ? postgresPool(jdbcUrlOrNull) : sqlitePool(dataDir);
        try {
            migrate(pool, postgres);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool, postgres);
    }

    /**
     * Brings the schema up to date with Flyway, unless the fingerprint of the shipped migrations
     * is the one recorded after the last migrate of this database (ADR 0043): then there is
     * nothing to apply or validate, and a restart saves Flyway's set-up, scan and validation.
     */
    static void migrate(DataSource pool, boolean postgres) {
        java.util.Map<String, String> placeholders = placeholders(postgres);
        java.util.Optional<String> fingerprint;
        try {
            fingerprint = SchemaFingerprint.of(Database.class.getClassLoader(), SchemaFingerprint.LOCATION, postgres,
                    placeholders);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the migrations", e);
        }
        if (fingerprint.isPresent() && SchemaFingerprint.matches(pool, fingerprint.get())) {
            return;
        }
        Flyway.configure()
                .dataSource(pool)
                .locations("classpath:" + SchemaFingerprint.LOCATION)
                .placeholders(placeholders)
                .load()
                .migrate();
        fingerprint.ifPresent(f -> SchemaFingerprint.record(pool, f));
    }

    /** What the migrations spell differently for each engine, as Flyway placeholders. */
    static java.util.Map<String, String> placeholders(boolean postgres) {
        // documents are JSONB on PostgreSQL (ADR 0028); SQLite tables whose rows are best kept
        // in their key's order are WITHOUT ROWID (ADR 0048)
        return java.util.Map.of("json_type", postgres ? "JSONB" : "TEXT", "without_rowid", postgres ? "" : " WITHOUT ROWID");
    }

    private static HikariDataSource postgresPool(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("only PostgreSQL JDBC URLs are supported, got " + jdbcUrl);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(POSTGRES_POOL_SIZE);
        // Every node of a cluster holds these open on the shared server; grow only under load.
        config.setMinimumIdle(2);
        config.setPoolName("cumulus-postgres");
        // Lets the meter's batch insert travel as multi-row INSERTs instead of one per record.
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(config);
    }

    private static HikariDataSource sqlitePool(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data dir " + dataDir, e);
        }
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
        sqlite.enforceForeignKeys(true);
        // FULL keeps a commit durable across power loss, which billing records need; the meter
        // batches so the extra fsync is paid per batch, not per invocation.
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        // A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when
        // another writer got in between; taking the write lock at BEGIN makes it wait instead.
        sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource source = new SQLiteDataSource(sqlite);
        source.setUrl("jdbc:sqlite:" + dataDir.resolve("cumulus.db").toAbsolutePath());

        HikariConfig config = new HikariConfig();
        config.setDataSource(source);
        config.setMaximumPoolSize(SQLITE_POOL_SIZE);
        config.setPoolName("cumulus-sqlite");
        return new HikariDataSource(config);
    }

    public DataSource dataSource() {
        return pool;
    }

    public boolean postgres() {
        return postgres;
    }

    /**
     * Runs {@code work} in one transaction: committed if it returns, rolled back if it throws.
     * Exceptions other than {@link SQLException} pass through unchanged (after the rollback).
     */
    public <T> T inTransaction(SqlWork<T> work) {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            }
            // The pool restores auto-commit when the connection goes back; a reset here could
            // only replace the real error with one from a broken connection.
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Runs {@code work} on a pooled connection in auto-commit mode. */
    public <T> T withConnection(SqlWork<T> work) {
        try (Connection connection = pool.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
