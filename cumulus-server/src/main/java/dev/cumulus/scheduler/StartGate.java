package dev.cumulus.scheduler;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Admits JVM starts from nothing a few at a time (ADR 0044). A JVM start costs about a quarter of
 * a CPU-second; a burst of 100 on two cores started at once shares the cores 100 ways, and no
 * instance is up until nearly all are. Admitted a few at a time, the first ones come up within a
 * second and serve while the rest start.
 *
 * <p>A start holds a turn from {@link #enter} until its instance is ready (the caller closes the
 * turn) or until {@code turn} has passed, whichever is first: a start that hangs must not hold
 * the gate. Waiters are admitted in arrival order, and one that has waited {@code maxWait} goes
 * ahead without a turn, so no start starves however long the queue. Starts that specialise a stem
 * cell never come here: they cost milliseconds.
 */
public final class StartGate {
    private final int turns;
    private final long turnNanos;
    private final long maxWaitNanos;
    private final LongSupplier nanoTime;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Turns held now: their start times. Guarded by {@link #lock}. */
    private final List<Turn> held = new ArrayList<>();
    /** Waiters in arrival order; only the first may take a free turn. Guarded by {@link #lock}. */
    private final Deque<Object> queue = new ArrayDeque<>();
    private int peakHeld;
    private long admitted;
    private long overdue;
    private long expired;

    /**
     * @param turns starts in flight at once
     * @param turn how long a start may hold its turn before the next one is let in anyway
     * @param maxWait how long a start waits for a turn before it goes ahead without one
     */
    StartGate(int turns, Duration turn, Duration maxWait, LongSupplier nanoTime) {
        if (turns < 1) {
            throw new IllegalArgumentException("a start gate needs at least one turn, not " + turns);
        }
        this.turns = turns;
        this.turnNanos = turn.toNanos();
        this.maxWaitNanos = maxWait.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Two starts per core: one JVM starting per core leaves a core idle while another waits on I/O. */
    static StartGate perCore(int cores) {
        return new StartGate(2 * cores, Duration.ofSeconds(5), Duration.ofSeconds(20), System::nanoTime);
    }

    /** What a start holds; {@link #close} ends its turn (again is harmless). */
    interface Ticket extends AutoCloseable {
        @Override
        void close();
    }

    private final class Turn implements Ticket {
        final long since;

        Turn(long since) {
            this.since = since;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (held.remove(this)) {
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private static final Ticket NO_TURN = () -> { };

    /**
     * Waits for a turn. Returns a held turn, or after {@code maxWait} a ticket that holds none.
     *
     * @throws InterruptedException if interrupted while waiting (the caller has no turn then)
     */
    Ticket enter() throws InterruptedException {
        Object me = new Object();
        lock.lock();
        try {
            long since = nanoTime.getAsLong();
            queue.addLast(me);
            try {
                while (true) {
                    long now = nanoTime.getAsLong();
                    endTurnsDue(now);
                    if (queue.peekFirst() == me && held.size() < turns) {
                        return take(now);
                    }
                    if (now - since >= maxWaitNanos) {
                        overdue++;
                        return NO_TURN;
                    }
                    long wake = since + maxWaitNanos;
                    for (Turn t : held) {
                        wake = Math.min(wake, t.since + turnNanos);
                    }
                    changed.awaitNanos(Math.max(1, wake - now));
                }
            } finally {
                queue.remove(me);
                changed.signalAll(); // the next in line may be first now
            }
        } finally {
            lock.unlock();
        }
    }

    /** A turn if one is free and nobody waits for it; null otherwise. */
    Ticket tryEnter() {
        lock.lock();
        try {
            long now = nanoTime.getAsLong();
            endTurnsDue(now);
            return queue.isEmpty() && held.size() < turns ? take(now) : null;
        } finally {
            lock.unlock();
        }
    }

    private Turn take(long now) {
        Turn turn = new Turn(now);
        held.add(turn);
        admitted++;
        peakHeld = Math.max(peakHeld, held.size());
        return turn;
    }

    /** Ends the turns held longer than {@code turn}: their starts go on, outside the gate. Under the lock. */
    private void endTurnsDue(long now) {
        int before = held.size();
        held.removeIf(t -> now - t.since >= turnNanos);
        expired += before - held.size();
    }

    /** Wakes the waiters to look at the clock again; for a clock that jumps (tests). */
    void recheck() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * How the gate has been used since the node started: its turns, those held now and the most
     * ever held at once, starts waiting now, starts let in with a turn, let in without one after
     * the longest wait, and turns that ended by time rather than by a ready instance.
     */
    public record Stats(int turns, int held, int peakHeld, int waiting, long admitted, long overdue, long expired) {}

    Stats stats() {
        lock.lock();
        try {
            endTurnsDue(nanoTime.getAsLong());
            return new Stats(turns, held.size(), peakHeld, queue.size(), admitted, overdue, expired);
        } finally {
            lock.unlock();
        }
    }
}
