/**
 * The Store: one relational database (SQLite file in embedded mode, PostgreSQL in a cluster),
 * its connection pool and its Flyway migrations, written to run unchanged on both.
 *
 * <p>Migrations live in {@code db/migration} on the classpath, one {@code V<n>__<capability>_<what>.sql}
 * per change; times are BIGINT epoch milliseconds and JSON is TEXT so the same file runs on both.
 */
package dev.cumulus.store;
