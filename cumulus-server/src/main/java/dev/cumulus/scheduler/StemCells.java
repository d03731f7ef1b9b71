package dev.cumulus.scheduler;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool of stem cells, kept per memory size because a JVM's heap and a cgroup's limit are set
 * when the cell starts. A cold start takes a waiting cell of its size if there is one; the pool
 * refills in the background. The pool adapts to demand: it keeps {@code perSize} cells for the
 * default size and for every size that had a cold start within {@link #DEMAND_WINDOW}, and lets
 * the others run out. Every cell holds one of the node's instance slots.
 */
final class StemCells implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StemCells.class);
    static final Duration DEMAND_WINDOW = Duration.ofMinutes(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** Sizes beyond this many recent ones are not kept warm, whatever the demand. */
    private static final int MAX_SIZES = 4;

    private final int perSize;
    private final int defaultMemoryMb;
    private final InstanceLauncher launcher;
    private final BooleanSupplier reserveSlot;
    private final Runnable releaseSlot;
    private final java.util.function.Supplier<String> ids;
    private final Map<Integer, Deque<StemCell>> waiting = new HashMap<>();
    private final Map<Integer, Integer> starting = new HashMap<>();
    private final Map<Integer, Long> lastDemand = new HashMap<>();
    private final ExecutorService starters = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final SpareTrees spareTrees = new SpareTrees();
    private boolean closed;

    StemCells(int perSize, int defaultMemoryMb, InstanceLauncher launcher, BooleanSupplier reserveSlot,
            Runnable releaseSlot, java.util.function.Supplier<String> ids) {
        this.perSize = perSize;
        this.defaultMemoryMb = defaultMemoryMb;
        this.launcher = launcher;
        this.reserveSlot = reserveSlot;
        this.releaseSlot = releaseSlot;
        this.ids = ids;
    }

    /** Starts the cells for the default size. */
    void fill() {
        refill(defaultMemoryMb);
    }

    /**
     * A waiting cell of {@code memoryMb}, now owned by the caller (its node slot is released:
     * the caller holds its own), or null. Records the demand and triggers a refill either way;
     * the cells that refill it come with the tree of {@code code} linked in already.
     */
    StemCell take(int memoryMb, java.nio.file.Path code) {
        spareTrees.demanded(memoryMb, code);
        StemCell cell = null;
        synchronized (this) {
            lastDemand.put(memoryMb, System.nanoTime());
            Deque<StemCell> cells = waiting.get(memoryMb);
            while (cells != null && !cells.isEmpty()) {
                StemCell candidate = cells.poll();
                if (candidate.isWaiting()) {
                    cell = candidate;
                    break;
                }
                discard(candidate);
            }
        }
        if (cell != null) {
            releaseSlot.run();
            hits.incrementAndGet();
        } else {
            misses.incrementAndGet();
        }
        refill(memoryMb);
        return cell;
    }

    /** Gives up one waiting cell so that an instance can have its node slot; false if none. */
    boolean evictOne() {
        StemCell victim = null;
        synchronized (this) {
            for (Deque<StemCell> cells : waiting.values()) {
                if (!cells.isEmpty()) {
                    victim = cells.poll();
                    break;
                }
            }
        }
        if (victim == null) {
            return false;
        }
        StemCell doomed = victim;
        starters.execute(doomed::destroy); // the slot goes to the caller, not back to the node
        return true;
    }

    /** Waiting cells of a memory size. */
    int waitingCells(int memoryMb) {
        return waitingPids(memoryMb).size();
    }

    /** Host pids of the waiting cells of a memory size. */
    synchronized java.util.List<Long> waitingPids(int memoryMb) {
        Deque<StemCell> cells = waiting.get(memoryMb);
        return cells == null ? java.util.List.of()
                : cells.stream().filter(StemCell::isWaiting).map(c -> c.started().process().pid()).toList();
    }

    long hits() {
        return hits.get();
    }

    long misses() {
        return misses.get();
    }

    private void refill(int memoryMb) {
        int missing;
        synchronized (this) {
            if (closed || perSize == 0 || !inDemand(memoryMb)) {
                return;
            }
            int have = waiting.getOrDefault(memoryMb, new ArrayDeque<>()).size() + starting.getOrDefault(memoryMb, 0);
            missing = perSize - have;
            if (missing <= 0) {
                return;
            }
            starting.merge(memoryMb, missing, Integer::sum);
        }
        for (int i = 0; i < missing; i++) {
            starters.execute(() -> startOne(memoryMb));
        }
    }

    private boolean inDemand(int memoryMb) {
        if (memoryMb == defaultMemoryMb) {
            return true;
        }
        long now = System.nanoTime();
        lastDemand.values().removeIf(t -> now - t > DEMAND_WINDOW.toNanos());
        Long last = lastDemand.get(memoryMb);
        return last != null && lastDemand.size() <= MAX_SIZES;
    }

    private void startOne(int memoryMb) {
        StemCell cell = null;
        boolean slot = reserveSlot.getAsBoolean();
        try {
            if (!slot) {
                return; // the node is full of instances; they matter more than cells
            }
            cell = launcher.launchCell(ids.get(), memoryMb);
            cell.awaitWaiting(START_TIMEOUT.toNanos());
            spareTrees.prepare(cell);
            synchronized (this) {
                if (!closed) {
                    waiting.computeIfAbsent(memoryMb, m -> new ArrayDeque<>()).add(cell);
                    cell = null;
                    slot = false;
                }
            }
        } catch (Exception e) {
            LOG.warn("cannot start a stem cell of {} MB: {}", memoryMb, e.toString());
        } finally {
            synchronized (this) {
                starting.merge(memoryMb, -1, Integer::sum);
            }
            if (cell != null) {
                cell.destroy();
            }
            if (slot) {
                releaseSlot.run();
            }
        }
    }

    private void discard(StemCell cell) {
        starters.execute(() -> {
            cell.destroy();
            releaseSlot.run();
        });
    }

    @Override
    public void close() {
        Deque<StemCell> all = new ArrayDeque<>();
        synchronized (this) {
            closed = true;
            waiting.values().forEach(all::addAll);
            waiting.clear();
        }
        for (StemCell cell : all) {
            starters.execute(() -> {
                cell.destroy();
                releaseSlot.run();
            });
        }
        starters.shutdown();
        try {
            starters.awaitTermination(START_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
