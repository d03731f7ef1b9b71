package dev.cumulus.scheduler;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;

/**
 * How many instances each project runs, against its {@code concurrentInstances} quota (issue 11,
 * part 8). One count per instance from the moment its pool reserves it until it is torn down,
 * whatever state it is in: an idle instance holds memory and a process as much as a busy one.
 * Pure accounting; the scheduler decides when to take and give back, and what to evict when a
 * project is full. The limit is read at every reservation, so a changed quota applies at once;
 * a lowered one lets running instances finish and refuses new ones until the count is below it.
 */
final class ProjectInstances {
    /** The limit of a project without a quota. */
    static final long UNLIMITED = Long.MAX_VALUE;

    private final ToLongFunction<String> limit;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    /** @param limit each project's maximum of instances, {@link #UNLIMITED} for none */
    ProjectInstances(ToLongFunction<String> limit) {
        this.limit = limit;
    }

    /** One more instance for {@code project}, if it is below its limit. */
    boolean tryAcquire(String project) {
        long max = limit.applyAsLong(project);
        AtomicInteger count = counts.computeIfAbsent(project, p -> new AtomicInteger());
        while (true) {
            int now = count.get();
            if (now >= max) {
                return false;
            }
            if (count.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** An instance of {@code project} is gone. */
    void release(String project) {
        AtomicInteger count = counts.get(project);
        if (count == null || count.getAndUpdate(n -> n > 0 ? n - 1 : n) == 0) {
            throw new IllegalStateException("project " + project + " released an instance it did not hold");
        }
    }

    int count(String project) {
        AtomicInteger count = counts.get(project);
        return count == null ? 0 : count.get();
    }

    long limit(String project) {
        return limit.applyAsLong(project);
    }
}
