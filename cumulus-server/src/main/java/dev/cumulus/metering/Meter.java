package dev.cumulus.metering;

/**
 * Takes invocation records on the hot path without blocking and writes them to the Store in
 * batches in the background. {@link #close()} flushes everything accepted so far.
 */
public interface Meter extends AutoCloseable {
    void record(InvocationRecord record);

    /** Blocks until every record accepted before this call is stored. */
    void flush();

    @Override
    void close();
}
