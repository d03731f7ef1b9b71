package dev.cumulus.schedules;

import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that fires schedules: it sleeps until the earliest next tick (or a change),
 * claims each due tick in the database, then hands it to the {@link AsyncInvoker}. A tick is
 * claimed before it is handed over and marked sent after, so a tick claimed by a node that then
 * stopped is resent on the next pass with the same idempotency key, and never fires twice.
 */
final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /**
     * How late a tick may fire and still count as on time rather than missed: long enough for a
     * node restart or a long pause, short enough that a real outage goes to the catch-up policy.
     */
    static final Duration ON_TIME = Duration.ofSeconds(10);
    /** the longest sleep, so that schedules changed on other nodes are seen */
    static final Duration MAX_SLEEP = Duration.ofSeconds(30);
    /** pause after a failed pass (database down) before the next try */
    static final Duration RETRY = Duration.ofSeconds(1);
    /** missed ticks counted one by one at most; beyond, the schedule jumps to the next tick after now */
    static final int MAX_SCAN = 100_000;
    private static final int BATCH = 100;
    /** The due time of a schedule that will not fire again (disabled, or no next tick). */
    static final Instant NEVER = Instant.ofEpochMilli(Long.MAX_VALUE);

    private final ScheduleStore store;
    private final AsyncInvoker async;
    private final Clock clock;
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running;
    private Thread thread;

    Dispatcher(ScheduleStore store, AsyncInvoker async, Clock clock) {
        this.store = store;
        this.async = async;
        this.clock = clock;
    }

    void start() {
        running = true;
        thread = Thread.ofVirtual().name("schedules-dispatcher").start(this::loop);
    }

    /** A schedule changed: look again at once instead of sleeping out the current wait. */
    void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    private void loop() {
        while (running) {
            Duration wait;
            try {
                resendPending();
                runDue(clock.instant());
                wait = store.earliestDue()
                        .map(due -> Duration.between(clock.instant(), due))
                        .orElse(MAX_SLEEP);
            } catch (RuntimeException e) {
                LOG.warn("schedule dispatch failed; trying again in {}", RETRY, e);
                wait = RETRY;
            }
            sleep(wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX_SLEEP) > 0 ? MAX_SLEEP : wait);
        }
    }

    private void sleep(Duration wait) {
        synchronized (signal) {
            long deadline = System.nanoTime() + wait.toNanos();
            try {
                while (running && !woken) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    // rounding up keeps a wake-up from landing just before the tick it waits for
                    signal.wait(Math.max(1, (left + 999_999) / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
            woken = false;
        }
    }

    /** One pass over the due schedules at {@code now}: every due tick is fired or skipped once. */
    void runDue(Instant now) {
        for (Schedule schedule : store.due(now, BATCH)) {
            step(schedule, now);
        }
    }

    /**
     * Ticks at most {@link #ON_TIME} late fire one by one, as if nothing happened (a restart, a
     * pause); older ones were missed: the run of them is claimed at once and fires at most once,
     * as the schedule's catch-up policy says.
     */
    private void step(Schedule schedule, Instant now) {
        Trigger trigger = schedule.trigger();
        Instant missedBefore = now.minus(ON_TIME);
        while (!schedule.nextDue().isAfter(now)) {
            Instant tick = schedule.nextDue();
            long due = 1;
            boolean fire = true;
            Instant next = trigger.nextAfter(tick);
            if (tick.isBefore(missedBefore)) {
                while (next != null && next.isBefore(missedBefore) && due < MAX_SCAN) {
                    tick = next;
                    due++;
                    next = trigger.nextAfter(tick);
                }
                if (next != null && next.isBefore(missedBefore)) {
                    next = trigger.nextAfter(missedBefore);
                }
                fire = schedule.catchUp() instanceof CatchUp.FireOnceWithin within
                        && Duration.between(tick, now).compareTo(within.window()) <= 0;
            }
            long skipped = due - (fire ? 1 : 0);
            Instant newNext = next == null ? NEVER : next;
            if (store.claim(schedule, newNext, tick, fire, skipped, now) != ScheduleStore.Claim.CLAIMED) {
                return;
            }
            if (skipped > 0) {
                LOG.info("schedule {} missed {} tick(s) up to {}{}", schedule.name(), due, tick,
                        fire ? "; that one fires once" : "; skipped");
            }
            if (fire) {
                send(schedule, tick);
            }
            schedule = schedule.withNextDue(newNext);
        }
    }

    void resendPending() {
        for (ScheduleStore.Pending pending : store.pending()) {
            LOG.info("schedule {}: handing over tick {} claimed before a stop", pending.schedule().name(), pending.tick());
            send(pending.schedule(), pending.tick());
        }
    }

    private void send(Schedule schedule, Instant tick) {
        AsyncInvoker.Accepted accepted;
        try {
            accepted = async.submit(new AsyncInvoker.Event(schedule.function(), ScheduledEvents.event(schedule, tick),
                    ScheduledEvents.idempotencyKey(schedule, tick), "/v1/schedules/" + schedule.name(),
                    "dev.cumulus.schedules.tick", tick.toString()).inProject(schedule.project()));
        } catch (ApiException refused) {
            if (refused.status() >= 500) {
                throw refused;
            }
            // the function is gone or refuses the event: retrying cannot help, so the tick says why
            LOG.warn("schedule {}: tick {} was refused: {}", schedule.name(), tick, refused.getMessage());
            store.markFailed(schedule.id(), tick, refused.getMessage());
            return;
        }
        store.markSent(schedule.id(), tick, accepted.requestId());
    }

    @Override
    public void close() {
        running = false;
        wake();
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
