package dev.cumulus.logs;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the last {@code capacity} lines of each function (known by project and name) in memory, and no more than
 * {@code capacityChars} characters of them, and hands new lines to followers. Bounded on both
 * sides: old lines fall off the buffer, and a follower that does not keep up loses its oldest
 * pending lines rather than slowing instances down.
 */
public final class LogStore {
    private static final int FOLLOWER_BACKLOG = 10_000;
    /** Characters a follower may have pending, however few lines they are. */
    private static final long FOLLOWER_BACKLOG_CHARS = 4L * 1024 * 1024;

    /** The project of callers that name no project (FunctionArns.DEFAULT_PROJECT; logs stay below registry). */
    private static final String DEFAULT_PROJECT = "default";

    private final int capacity;
    private final long capacityChars;
    private final Clock clock;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<Key, FunctionLog> logs = new ConcurrentHashMap<>();

    public LogStore(int capacity, long capacityChars, Clock clock) {
        this.capacity = capacity;
        this.capacityChars = capacityChars;
        this.clock = clock;
    }

    /** A line of a function of the default project. */
    public void append(String functionName, String instanceId, String requestId, String line) {
        append(DEFAULT_PROJECT, functionName, instanceId, requestId, line);
    }

    public void append(String project, String functionName, String instanceId, String requestId, String line) {
        appendLines(project, functionName, instanceId, requestId, line);
    }

    /**
     * Several lines of one invocation, in order, under one lock: the node writes END and REPORT
     * of every invocation together, and at 32 concurrent invocations of a function the lock of
     * its log was contended (JFR, 2026-12-06).
     */
    public void appendLines(String project, String functionName, String instanceId, String requestId, String... lines) {
        FunctionLog log = logs.get(new Key(project, functionName));
        if (log == null) {
            log = logs.computeIfAbsent(new Key(project, functionName), k -> new FunctionLog());
        }
        java.time.Instant at = clock.instant();
        LogLine[] entries = new LogLine[lines.length];
        log.lock.lock();
        try {
            // numbered under the log's lock, so a function's lines are in sequence order in its
            // buffer; one reservation for all of them, not one contended increment per line
            long first = sequence.getAndAdd(lines.length) + 1;
            for (int i = 0; i < lines.length; i++) {
                entries[i] = new LogLine(first + i, at, functionName, instanceId, requestId, lines[i]);
                log.lines.add(entries[i]);
            }
            while (log.lines.size() > capacity || log.lines.chars() > capacityChars) {
                log.lines.removeOldest();
            }
        } finally {
            log.lock.unlock();
        }
        if (!log.followers.isEmpty()) {
            for (Follower follower : log.followers) {
                for (LogLine entry : entries) {
                    follower.offer(entry);
                }
            }
        }
    }

    /** The newest {@code limit} lines of a function, oldest first. */
    public List<LogLine> tail(String functionName, int limit) {
        return tail(DEFAULT_PROJECT, functionName, limit);
    }

    /** The newest {@code limit} lines of a function of {@code project}, oldest first. */
    public List<LogLine> tail(String project, String functionName, int limit) {
        FunctionLog log = logs.get(new Key(project, functionName));
        if (log == null) {
            return List.of();
        }
        log.lock.lock();
        try {
            return log.lines.newest(limit);
        } finally {
            log.lock.unlock();
        }
    }

    /** Lines of one invocation still in the buffer, oldest first. */
    public List<LogLine> forRequest(String functionName, String requestId) {
        return forRequest(DEFAULT_PROJECT, functionName, requestId);
    }

    /** Lines of one invocation of a function of {@code project} still in the buffer, oldest first. */
    public List<LogLine> forRequest(String project, String functionName, String requestId) {
        FunctionLog log = logs.get(new Key(project, functionName));
        if (log == null) {
            return List.of();
        }
        log.lock.lock();
        try {
            return log.lines.matching(l -> requestId.equals(l.requestId()));
        } finally {
            log.lock.unlock();
        }
    }

    /** Subscribes to new lines of a function until the follower is closed. */
    public Follower follow(String functionName) {
        return follow(DEFAULT_PROJECT, functionName);
    }

    /** Subscribes to new lines of a function of {@code project} until the follower is closed. */
    public Follower follow(String project, String functionName) {
        FunctionLog log = logs.computeIfAbsent(new Key(project, functionName), k -> new FunctionLog());
        Follower follower = new Follower(log);
        log.followers.add(follower);
        return follower;
    }

    /** Forgets a deleted function's lines; its followers see no more lines. */
    public void drop(String functionName) {
        drop(DEFAULT_PROJECT, functionName);
    }

    public void drop(String project, String functionName) {
        logs.remove(new Key(project, functionName));
    }

    /** Names are unique per project only: a function's lines are kept under both. */
    private record Key(String project, String functionName) {}

    private static final class FunctionLog {
        /*
         * A lock that parks rather than spins: with ten instances of a function answering at once,
         * the monitor this used to be spun on the node's two cores (4 % of its CPU samples).
         */
        final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        final LineRing lines = new LineRing(); // guarded by lock
        final List<Follower> followers = new CopyOnWriteArrayList<>();
    }

    /**
     * A function's buffered lines, oldest first, and the characters they hold: each line's length
     * sits beside it in a plain array, so dropping the oldest reads that array, not the line it
     * drops. Under load the buffer turns over several times a second and its oldest lines are long
     * out of the CPU's caches; reading each one's text back to subtract its length was a cache miss
     * per line (issue 12, JFR at 32 connections: the top of the node's self time). Grows by
     * doubling; not thread-safe.
     */
    private static final class LineRing {
        private LogLine[] lines = new LogLine[16];
        private int[] lengths = new int[16];
        private int oldest;
        private int size;
        private long chars;

        int size() {
            return size;
        }

        /** The characters of the lines held. */
        long chars() {
            return chars;
        }

        void add(LogLine line) {
            if (size == lines.length) {
                grow();
            }
            int at = (oldest + size) & (lines.length - 1);
            lines[at] = line;
            lengths[at] = line.line().length();
            chars += lengths[at];
            size++;
        }

        void removeOldest() {
            chars -= lengths[oldest];
            lines[oldest] = null;
            oldest = (oldest + 1) & (lines.length - 1);
            size--;
        }

        /** The newest {@code limit} lines, oldest first. */
        List<LogLine> newest(int limit) {
            int n = Math.min(Math.max(limit, 0), size);
            LogLine[] out = new LogLine[n];
            for (int i = 0; i < n; i++) {
                out[i] = lines[(oldest + size - n + i) & (lines.length - 1)];
            }
            return List.of(out);
        }

        /** The lines that {@code test} accepts, oldest first. */
        List<LogLine> matching(java.util.function.Predicate<LogLine> test) {
            List<LogLine> found = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                LogLine line = lines[(oldest + i) & (lines.length - 1)];
                if (test.test(line)) {
                    found.add(line);
                }
            }
            return List.copyOf(found);
        }

        private void grow() {
            LogLine[] moreLines = new LogLine[lines.length * 2];
            int[] moreLengths = new int[lengths.length * 2];
            for (int i = 0; i < size; i++) {
                int from = (oldest + i) & (lines.length - 1);
                moreLines[i] = lines[from];
                moreLengths[i] = lengths[from];
            }
            lines = moreLines;
            lengths = moreLengths;
            oldest = 0;
        }
    }

    /** A live subscription to one function's new lines. */
    public static final class Follower implements AutoCloseable {
        private final FunctionLog log;
        private final BlockingQueue<LogLine> pending = new LinkedBlockingQueue<>(FOLLOWER_BACKLOG);
        private final AtomicLong pendingChars = new AtomicLong();

        private Follower(FunctionLog log) {
            this.log = log;
        }

        private void offer(LogLine line) {
            pendingChars.addAndGet(line.line().length());
            while (!pending.offer(line)) {
                dropOldest();
            }
            while (pendingChars.get() > FOLLOWER_BACKLOG_CHARS && pending.size() > 1) {
                dropOldest();
            }
        }

        private void dropOldest() {
            LogLine dropped = pending.poll();
            if (dropped != null) {
                pendingChars.addAndGet(-dropped.line().length());
            }
        }

        /** The next line, waiting at most {@code millis}; null if none came. */
        public LogLine poll(long millis) throws InterruptedException {
            LogLine line = pending.poll(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (line != null) {
                pendingChars.addAndGet(-line.line().length());
            }
            return line;
        }

        @Override
        public void close() {
            log.followers.remove(this);
        }
    }
}
