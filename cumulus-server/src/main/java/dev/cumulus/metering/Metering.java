package dev.cumulus.metering;

import dev.cumulus.store.Database;
import javax.sql.DataSource;

/**
 * Metering on the Store: the {@link Meter} the invoker records into and the {@link Usage} billing
 * reads. Closing flushes every accepted record; the Database stays open (its owner closes it).
 */
public final class Metering implements AutoCloseable {
    private final BatchingMeter meter;
    private final JdbcUsage usage;

    private Metering(DataSource dataSource, BatchingMeter.Settings settings) {
        this.meter = new BatchingMeter(new RecordWriter(dataSource), settings);
        this.usage = new JdbcUsage(dataSource);
    }

    public static Metering open(Database db) {
        return new Metering(db.dataSource(), BatchingMeter.Settings.DEFAULT);
    }

    /** For tests that make the database fail or want quick retries. */
    static Metering open(DataSource dataSource, BatchingMeter.Settings settings) {
        return new Metering(dataSource, settings);
    }

    public Meter meter() {
        return meter;
    }

    public Usage usage() {
        return usage;
    }

    @Override
    public void close() {
        meter.close();
    }
}
