package dev.cumulus.async;

import dev.cumulus.async.DeliveryStateMachine.Backoff;
import dev.cumulus.async.DeliveryStateMachine.Outcome;
import dev.cumulus.async.DeliveryStateMachine.Policy;
import dev.cumulus.async.DeliveryStateMachine.Transition;
import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.Call;
import dev.cumulus.invoke.Invocation;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.registry.AsyncConfig;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.scheduler.ThrottledException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers due events from the outbox: one loop claims them in batches, a virtual thread per
 * event runs it through the synchronous {@link Invoker}, and at most {@code concurrency} run at
 * once. Submits and finished deliveries wake the loop; otherwise it sleeps until the next event
 * falls due.
 */
final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** Longer than any function may run (900 s) plus its wait in the queue: only a dead node's lease runs out. */
    static final Duration LEASE = Duration.ofMinutes(20);
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);
    /**
     * With nothing pending, only this node's own submits (which wake the loop) or a dead peer's
     * running events (whose leases are 20 min anyway) can make work: look rarely.
     */
    private static final Duration EMPTY_POLL = Duration.ofSeconds(30);
    private static final Duration PURGE_EVERY = Duration.ofHours(1);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(30);
    /** Destination deliveries have no destinations of their own, so a failing one cannot chain. */
    private static final Policy DESTINATION_POLICY = new Policy(AsyncConfig.DEFAULT_MAX_RETRIES,
            Duration.ofSeconds(AsyncConfig.DEFAULT_MAX_EVENT_AGE_SECONDS), null, null);

    private final Outbox outbox;
    private final Invoker invoker;
    private final TopicSink topics;
    private final Backoff backoff;
    private final Duration retention;
    private final Clock clock;
    private final String owner;
    private final Semaphore slots;
    private final Set<Thread> inFlight = ConcurrentHashMap.newKeySet();
    private final Object signal = new Object();
    private boolean poked;
    private volatile boolean closing;
    private Thread loop;
    private Instant lastPurge = Instant.EPOCH;

    Dispatcher(Outbox outbox, Invoker invoker, TopicSink topics, int concurrency, Backoff backoff, Duration retention,
            Clock clock, String owner) {
        this.outbox = outbox;
        this.invoker = invoker;
        this.topics = topics;
        this.backoff = backoff;
        this.retention = retention;
        this.clock = clock;
        this.owner = owner;
        this.slots = new Semaphore(concurrency);
    }

    /** Queues again what this node was running when it last stopped, then starts delivering. */
    void start() {
        int recovered = outbox.recoverOwned(owner, clock.instant());
        if (recovered > 0) {
            LOG.info("{} asynchronous events were running when this node last stopped; delivering them again", recovered);
        }
        loop = Thread.ofPlatform().daemon().name("async-dispatcher").start(this::run);
    }

    /** Something may be due now: a new event, or a finished delivery freed a slot. */
    void poke() {
        synchronized (signal) {
            poked = true;
            signal.notifyAll();
        }
    }

    private void run() {
        while (!closing) {
            try {
                purgeNow();
                int free = slots.availablePermits();
                List<OutboxRow> claimed = List.of();
                if (free > 0) {
                    Instant now = clock.instant();
                    claimed = outbox.claim(owner, now, now.plus(LEASE), free);
                    for (OutboxRow row : claimed) {
                        slots.acquireUninterruptibly();
                        Thread worker = Thread.ofVirtual().name("async-" + row.requestId()).unstarted(() -> {
                            try {
                                deliver(row);
                            } finally {
                                inFlight.remove(Thread.currentThread());
                                slots.release();
                                poke();
                            }
                        });
                        inFlight.add(worker);
                        worker.start();
                    }
                }
                if (free == 0 || claimed.size() < free) {
                    await(free == 0 ? IDLE_POLL : untilNextDue());
                }
            } catch (RuntimeException e) {
                // the Store may be briefly unavailable; nothing is lost, the events wait in it
                LOG.warn("asynchronous dispatch failed; retrying", e);
                await(IDLE_POLL);
            }
        }
    }

    private Duration untilNextDue() {
        return outbox.nextDue()
                .map(due -> Duration.between(clock.instant(), due))
                .map(wait -> wait.isNegative() ? Duration.ZERO : wait.compareTo(IDLE_POLL) > 0 ? IDLE_POLL : wait)
                .orElse(EMPTY_POLL);
    }

    private void await(Duration max) {
        synchronized (signal) {
            if (!poked && !closing && !max.isZero()) {
                try {
                    signal.wait(Math.max(1, max.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closing = true;
                }
            }
            poked = false;
        }
    }

    private void purgeNow() {
        Instant now = clock.instant();
        if (Duration.between(lastPurge, now).compareTo(PURGE_EVERY) >= 0) {
            lastPurge = now;
            int purged = outbox.purge(now.minus(retention));
            if (purged > 0) {
                LOG.info("purged {} asynchronous events that ended more than {} ago", purged, retention);
            }
        }
    }

    /** One try of a claimed event, settled through the state machine in one transaction. */
    void deliver(OutboxRow row) {
        Instant started = row.updatedAt();
        Policy policy = DESTINATION_POLICY;
        Outcome outcome;
        String version = null;
        try {
            if (row.kind() == OutboxRow.TargetKind.TOPIC) {
                outcome = publish(row);
            } else {
                FunctionVersion target = invoker.resolve(row.project(), row.target());
                version = target.version();
                if (row.originId() == null) {
                    policy = policy(target.config().async());
                }
                Duration age = Duration.between(row.createdAt(), clock.instant());
                outcome = age.compareTo(policy.maxAge()) > 0 ? new Outcome.Expired(age) : invoke(target, row);
            }
        } catch (ApiException e) {
            outcome = e.status() == 404 ? new Outcome.Undeliverable("FunctionNotFound", e.getMessage())
                    : new Outcome.Failure(e.code(), e.getMessage(), version);
        } catch (InterruptedException e) {
            outcome = new Outcome.Interrupted();
        } catch (RuntimeException e) {
            LOG.warn("asynchronous event {} for {} failed in the platform", row.requestId(), row.target(), e);
            outcome = new Outcome.Failure("Cumulus.PlatformError", String.valueOf(e.getMessage()), version);
        }
        Instant ended = clock.instant();
        Transition t = DeliveryStateMachine.settle(row.state(), row.attempts(), row.createdAt(), outcome, policy,
                backoff, ended, bound -> ThreadLocalRandom.current().nextLong(bound));
        Attempt attempt = new Attempt(row.tries() + 1, started, ended, outcome.label(), versionOf(outcome),
                errorType(outcome), errorMessage(outcome));
        try {
            if (!outbox.settle(row, owner, attempt, t, Destinations.record(row, t, outcome, ended))) {
                LOG.warn("asynchronous event {} was taken over by another node before its try ended", row.requestId());
            }
        } catch (RuntimeException e) {
            // the row stays running under this node's lease: the next start (or the lease's end) delivers it again
            LOG.error("could not record the end of asynchronous event {}; it will be delivered again", row.requestId(), e);
        }
    }

    private Outcome invoke(FunctionVersion target, OutboxRow row) throws InterruptedException {
        // a retried event keeps its request id: the function can tell a retry from a new event
        Call call = Call.to(target).trigger(Call.Trigger.ASYNC).requestId(row.requestId()).payload(row.payload())
                .cloudEvent(row.event().attributesJson()).build();
        try {
            Invocation result = invoker.invoke(call);
            if (!result.failed()) {
                return new Outcome.Success(result.payload(), result.version());
            }
            return new Outcome.Failure(result.failure().errorType(), result.failure().errorMessage(), result.version());
        } catch (ThrottledException e) {
            return new Outcome.Throttled(e.getMessage());
        }
    }

    private Outcome publish(OutboxRow row) {
        try {
            topics.publish(row.project(), row.target(), row.event());
            return new Outcome.Success(null, null);
        } catch (ApiException e) {
            return e.status() == 404 ? new Outcome.Undeliverable("TopicNotFound", e.getMessage())
                    : new Outcome.Failure(e.code(), e.getMessage(), null);
        }
    }

    static Policy policy(AsyncConfig config) {
        return new Policy(config.maxRetries(), Duration.ofSeconds(config.maxEventAgeSeconds()),
                AsyncConfig.Destination.parse(config.onSuccess()).orElse(null),
                AsyncConfig.Destination.parse(config.onFailure()).orElse(null));
    }

    private static String versionOf(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Success s -> s.version();
            case Outcome.Failure f -> f.version();
            default -> null;
        };
    }

    private static String errorType(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Failure f -> f.errorType();
            case Outcome.Undeliverable u -> u.errorType();
            case Outcome.Throttled t -> "Throttled";
            case Outcome.Expired e -> "EventAgeExceeded";
            default -> null;
        };
    }

    private static String errorMessage(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Failure f -> f.errorMessage();
            case Outcome.Undeliverable u -> u.errorMessage();
            case Outcome.Throttled t -> t.message();
            case Outcome.Expired e -> "the event waited " + e.age().toSeconds() + " s";
            default -> null;
        };
    }

    /**
     * Stops claiming, lets running deliveries finish for a while, then interrupts the rest: they
     * settle as interrupted and are queued again, so the next start delivers them.
     */
    @Override
    public void close() {
        closing = true;
        poke();
        if (loop != null) {
            try {
                loop.join();
                long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
                for (Thread worker : List.copyOf(inFlight)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !worker.join(Duration.ofNanos(left))) {
                        worker.interrupt();
                    }
                }
                for (Thread worker : List.copyOf(inFlight)) {
                    worker.join(Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
