package dev.cumulus.scheduler;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Ends invocations that outlive their deadline. One platform thread looks over the invocations
 * in flight every {@link #TICK_NANOS}, instead of every invocation waiting with a timer of its
 * own: a timed wait on a virtual thread registers and cancels a task with the JDK's delay
 * scheduler and wakes its thread each time, a measurable cost on the warm path. Timeouts are
 * therefore precise to about one tick, which is far below the one-second unit they are set in.
 */
final class DeadlineWatcher implements AutoCloseable {
    static final long TICK_NANOS = 20_000_000L;

    private record Watched(long deadlineNanos, Supplier<InvocationResult.Answer> onTimeout) {}

    /** Keyed by the answer itself (identity): each invocation has its own future. */
    private final Map<CompletableFuture<InvocationResult.Answer>, Watched> inFlight = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    DeadlineWatcher() {
        thread = Thread.ofPlatform().daemon().name("invocation-deadlines").start(this::run);
    }

    /** Completes {@code answer} with {@code onTimeout}'s failure if nothing else did by the deadline. */
    void watch(long deadlineNanos, CompletableFuture<InvocationResult.Answer> answer,
            Supplier<InvocationResult.Answer> onTimeout) {
        inFlight.put(answer, new Watched(deadlineNanos, onTimeout));
    }

    void unwatch(CompletableFuture<InvocationResult.Answer> answer) {
        inFlight.remove(answer);
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(TICK_NANOS);
            long now = System.nanoTime();
            inFlight.entrySet().removeIf(entry -> {
                Watched w = entry.getValue();
                if (entry.getKey().isDone()) {
                    return true;
                }
                if (now - w.deadlineNanos() >= 0) {
                    entry.getKey().complete(w.onTimeout().get());
                    return true;
                }
                return false;
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
