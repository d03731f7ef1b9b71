/**
 * The Store: one relational database (SQLite file in embedded mode, PostgreSQL in a cluster),
 * its connection pool and its Flyway migrations, written to run unchanged on both.
 */
package dev.cumulus.store;
