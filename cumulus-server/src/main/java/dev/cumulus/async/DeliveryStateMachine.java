package dev.cumulus.async;

import dev.cumulus.registry.AsyncConfig.Destination;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.LongUnaryOperator;

/**
 * Every state an accepted event can be in and every move between them; nothing else decides a
 * delivery's next state. Pure: callers persist what it answers.
 *
 * <pre>
 *   queued ──claim──▶ running ──success──▶ succeeded            (+ on-success destination, if any)
 *                       │  ▲
 *      failure, retries │  │ claim when due
 *      and age left     ▼  │
 *                    retry-wait
 *   running ──failure with no retry left, too old, or undeliverable──▶ dead-lettered  (on-failure destination set)
 *                                                                 └──▶ failed         (no destination)
 *   running ──throttled──▶ retry-wait (the attempt does not count)
 *   running ──node stopped or died──▶ queued (delivered again: at-least-once)
 * </pre>
 */
final class DeliveryStateMachine {
    private DeliveryStateMachine() {}

    enum State {
        QUEUED, RUNNING, RETRY_WAIT, SUCCEEDED, FAILED, DEAD_LETTERED;

        /** How the state is stored and shown: {@code retry-wait}, {@code dead-lettered}... */
        String wire() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static State ofWire(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        boolean terminal() {
            return this == SUCCEEDED || this == FAILED || this == DEAD_LETTERED;
        }

        /** States a dispatcher may claim once due. */
        boolean claimable() {
            return this == QUEUED || this == RETRY_WAIT;
        }
    }

    /** What one try of a running event came to. */
    sealed interface Outcome {
        /** How the try is recorded in the attempt list. */
        String label();

        /** The function answered (or the topic took the event). */
        record Success(byte[] response, String version) implements Outcome {
            public String label() { return "succeeded"; }
        }

        /** The function failed (error, timeout, crash), or the platform failed to run it: worth retrying. */
        record Failure(String errorType, String errorMessage, String version) implements Outcome {
            public String label() { return "failed"; }
        }

        /** The function is at its limits; try later without counting the try. */
        record Throttled(String message) implements Outcome {
            public String label() { return "throttled"; }
        }

        /** The target no longer exists: no retry can succeed. */
        record Undeliverable(String errorType, String errorMessage) implements Outcome {
            public String label() { return "undeliverable"; }
        }

        /** The event waited longer than its maximum age before this try could run. */
        record Expired(Duration age) implements Outcome {
            public String label() { return "expired"; }
        }

        /** The node stopped or died while the try ran; the function may or may not have run. */
        record Interrupted() implements Outcome {
            public String label() { return "interrupted"; }
        }
    }

    /**
     * The delivery rules of one event, from its function's async settings at the time of the try.
     *
     * @param onSuccess null for none
     * @param onFailure null for none
     */
    record Policy(int maxRetries, Duration maxAge, Destination onSuccess, Destination onFailure) {}

    /** Why an event ended without success, as the on-failure destination and the API show it. */
    enum Condition { RETRIES_EXHAUSTED, EVENT_AGE_EXCEEDED, UNDELIVERABLE }

    /**
     * Where a move leads.
     *
     * @param attempts      tries that count against the retries, after this move
     * @param nextAttemptAt when a retry-wait or queued event becomes due; null for other states
     * @param errorType     the last error, null when none
     * @param destination   the destination to hand the outcome to, null for none
     * @param condition     why a failed event ended, null otherwise
     */
    record Transition(State state, int attempts, Instant nextAttemptAt, String errorType, String errorMessage,
            Destination destination, Condition condition) {}

    /** Exponential backoff with jitter: try n waits a random time in [d/2, d], d = min(max, base * 2^(n-1)). */
    record Backoff(Duration base, Duration max) {
        Duration delay(int attempt, LongUnaryOperator randomBelow) {
            long ceiling = Math.min(max.toMillis(), base.toMillis() << Math.min(attempt - 1, 30));
            long half = ceiling / 2;
            return Duration.ofMillis(half + randomBelow.applyAsLong(ceiling - half + 1));
        }
    }

    /** A dispatcher takes a due event. */
    static Transition claim(State from, int attempts) {
        if (!from.claimable()) {
            throw new IllegalStateException("cannot claim an event that is " + from.wire());
        }
        return new Transition(State.RUNNING, attempts, null, null, null, null, null);
    }

    /**
     * The move after a try of a running event.
     *
     * @param attempts   tries that counted before this one
     * @param acceptedAt when the event was accepted: its age counts from there
     */
    static Transition settle(State from, int attempts, Instant acceptedAt, Outcome outcome, Policy policy,
            Backoff backoff, Instant now, LongUnaryOperator randomBelow) {
        if (from != State.RUNNING) {
            throw new IllegalStateException("only a running event settles, not one that is " + from.wire());
        }
        Instant deadline = acceptedAt.plus(policy.maxAge());
        return switch (outcome) {
            case Outcome.Success s -> new Transition(State.SUCCEEDED, attempts + 1, null, null, null,
                    policy.onSuccess(), null);
            case Outcome.Interrupted i -> new Transition(State.QUEUED, attempts, now, null, null, null, null);
            case Outcome.Throttled t -> {
                Instant next = now.plus(backoff.delay(1, randomBelow));
                yield next.isAfter(deadline)
                        ? failed(attempts, "EventAgeExceeded", "throttled until the event passed its maximum age of "
                                + policy.maxAge().toSeconds() + " s", policy, Condition.EVENT_AGE_EXCEEDED)
                        : new Transition(State.RETRY_WAIT, attempts, next, "Throttled", t.message(), null, null);
            }
            case Outcome.Undeliverable u -> failed(attempts, u.errorType(), u.errorMessage(), policy,
                    Condition.UNDELIVERABLE);
            case Outcome.Expired e -> failed(attempts, "EventAgeExceeded", "the event waited " + e.age().toSeconds()
                    + " s, longer than its maximum age of " + policy.maxAge().toSeconds() + " s", policy,
                    Condition.EVENT_AGE_EXCEEDED);
            case Outcome.Failure f -> {
                int counted = attempts + 1;
                if (counted > policy.maxRetries()) {
                    yield failed(counted, f.errorType(), f.errorMessage(), policy, Condition.RETRIES_EXHAUSTED);
                }
                Instant next = now.plus(backoff.delay(counted, randomBelow));
                yield next.isAfter(deadline)
                        ? failed(counted, f.errorType(), f.errorMessage(), policy, Condition.EVENT_AGE_EXCEEDED)
                        : new Transition(State.RETRY_WAIT, counted, next, f.errorType(), f.errorMessage(), null, null);
            }
        };
    }

    /** A running event whose node stopped or died, found at start or after its lease ran out. */
    static Transition recover(State from, int attempts, Instant now) {
        if (from != State.RUNNING) {
            throw new IllegalStateException("only a running event is recovered, not one that is " + from.wire());
        }
        return new Transition(State.QUEUED, attempts, now, null, null, null, null);
    }

    private static Transition failed(int attempts, String errorType, String errorMessage, Policy policy,
            Condition condition) {
        State state = policy.onFailure() != null ? State.DEAD_LETTERED : State.FAILED;
        return new Transition(state, attempts, null, errorType, errorMessage, policy.onFailure(), condition);
    }
}
