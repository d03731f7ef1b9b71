package dev.cumulus.metering;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Meter whose {@link #record} only appends to a lock-free queue; one virtual thread drains it
 * into the database in batches. Flushes travel through the same queue as markers, so a flush
 * completes exactly when everything queued before it is committed.
 */
final class BatchingMeter implements Meter {
    private static final Logger log = LoggerFactory.getLogger(BatchingMeter.class);

    static final int MAX_BATCH = 2000;
    /**
     * How long the writer gathers records after the first one arrives, and between commits while
     * records keep coming: one commit (one fsync) per linger instead of one per invocation, which
     * is what keeps the Store off the hot path. Under steady load the writer used to commit again
     * as soon as a commit ended, which at 7k invocations/s on SQLite (synchronous FULL) meant some
     * 80 fsyncs a second (issue 12, ADR 0050).
     */
    static final Duration LINGER = Duration.ofMillis(100);

    /** How the writer behaves when the database fails, and how long close() waits for it. */
    record Settings(Duration firstRetryDelay, Duration maxRetryDelay, Duration closeTimeout) {
        static final Settings DEFAULT = new Settings(Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    private record FlushMarker(CompletableFuture<Void> done) {}

    // Holds InvocationRecord and FlushMarker; one queue keeps their relative order.
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final RecordWriter writer;
    private final Settings settings;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean stopRequested;
    /** Set by the writer before its last drain; a record queued after that is nobody's to write. */
    private volatile boolean stopped;
    /** Set when close() gave up waiting for a failing database: the rest is logged, not written. */
    private volatile boolean abandoned;
    /** True while the writer waits on an empty queue: only then does a new record wake it. */
    private volatile boolean idle;
    /** A flush is queued: the writer stops gathering and writes up to it. */
    private volatile boolean flushWaiting;

    BatchingMeter(RecordWriter writer, Settings settings) {
        this.writer = writer;
        this.settings = settings;
        // A platform thread: JDBC drivers block in native code (SQLite's commit fsyncs), which
        // would pin a virtual thread's carrier and starve the request path of CPU.
        this.thread = Thread.ofPlatform().daemon().name("cumulus-meter-writer").start(this::run);
    }

    @Override
    public void record(InvocationRecord record) {
        // Checked here so that a bad record fails its caller instead of jamming a batch later.
        Objects.requireNonNull(record.requestId(), "requestId");
        Objects.requireNonNull(record.functionName(), "functionName");
        Objects.requireNonNull(record.version(), "version");
        Objects.requireNonNull(record.start(), "start");
        Objects.requireNonNull(record.outcome(), "outcome");
        queue.offer(record);
        if (stopped && queue.remove(record)) {
            log.error("meter is closed; invocation record not stored: {}", record);
            return;
        }
        if (idle) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void flush() {
        CompletableFuture<Void> done = enqueueFlush();
        if (done != null) {
            done.join();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<Void> done = enqueueFlush();
        if (done != null) {
            awaitClosingFlush(done);
        }
        stopRequested = true;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitClosingFlush(CompletableFuture<Void> done) {
        try {
            done.get(settings.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.error("database did not take the invocation records within {}; logging the rest instead",
                    settings.closeTimeout());
            abandoned = true;
            LockSupport.unpark(thread);
            done.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandoned = true;
        } catch (ExecutionException e) {
            throw new IllegalStateException("meter writer failed", e.getCause());
        }
    }

    /** Null when the writer has already stopped, so nothing is left to wait for. */
    private CompletableFuture<Void> enqueueFlush() {
        FlushMarker marker = new FlushMarker(new CompletableFuture<>());
        queue.offer(marker);
        flushWaiting = true;
        if (stopped && queue.remove(marker)) {
            return null;
        }
        LockSupport.unpark(thread);
        return marker.done();
    }

    private void run() {
        List<InvocationRecord> batch = new ArrayList<>(MAX_BATCH);
        List<FlushMarker> flushes = new ArrayList<>();
        while (true) {
            if (queue.isEmpty()) {
                if (stopRequested) {
                    break;
                }
                idle = true;
                if (queue.isEmpty() && !stopRequested) {
                    LockSupport.park(this);
                }
                idle = false;
                if (!stopRequested) {
                    LockSupport.parkNanos(this, LINGER.toNanos()); // a flush or close cuts this short
                }
                continue;
            }
            long started = System.nanoTime();
            flushWaiting = false; // a flush queued from here on is drained now or ends the gathering below
            drain(batch, flushes);
            boolean full = batch.size() == MAX_BATCH;
            boolean flushed = !flushes.isEmpty();
            writeBatch(batch, flushes);
            if (!full && !flushed) {
                // gather the next batch for the rest of the linger; a backlog (a full batch) is
                // written at once, and a flush or close cuts the wait short
                long lingerEnds = started + LINGER.toNanos();
                for (long left; (left = lingerEnds - System.nanoTime()) > 0 && !stopRequested && !flushWaiting; ) {
                    LockSupport.parkNanos(this, left);
                }
            }
        }
        stopped = true;
        // Records that raced with close() after the last flush.
        do {
            drain(batch, flushes);
            writeBatch(batch, flushes);
        } while (!queue.isEmpty());
    }

    private void drain(List<InvocationRecord> batch, List<FlushMarker> flushes) {
        Object item;
        while (batch.size() < MAX_BATCH && (item = queue.poll()) != null) {
            switch (item) {
                case InvocationRecord r -> batch.add(r);
                case FlushMarker m -> flushes.add(m);
                default -> throw new IllegalStateException("unexpected queue item " + item);
            }
        }
    }

    private void writeBatch(List<InvocationRecord> batch, List<FlushMarker> flushes) {
        if (!batch.isEmpty()) {
            writeWithRetry(batch);
            batch.clear();
        }
        flushes.forEach(f -> f.done().complete(null));
        flushes.clear();
    }

    // Billing depends on every record, so a failed batch is retried until it is stored; only a
    // close() that ran out of patience stops that, and then every record is logged.
    private void writeWithRetry(List<InvocationRecord> batch) {
        long delayNanos = settings.firstRetryDelay().toNanos();
        for (int attempt = 1; ; attempt++) {
            if (abandoned) {
                batch.forEach(r -> log.error("invocation record not stored: {}", r));
                return;
            }
            try {
                writer.write(batch);
                if (attempt > 1) {
                    log.info("stored {} invocation records after {} attempts", batch.size(), attempt);
                }
                return;
            } catch (Exception e) {
                log.warn("storing {} invocation records failed (attempt {}); retrying in {} ms",
                        batch.size(), attempt, TimeUnit.NANOSECONDS.toMillis(delayNanos), e);
                pause(delayNanos);
                delayNanos = Math.min(delayNanos * 2, settings.maxRetryDelay().toNanos());
            }
        }
    }

    // record() unparks the writer on every call; the pause must still last under traffic.
    private void pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0 && !abandoned; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
