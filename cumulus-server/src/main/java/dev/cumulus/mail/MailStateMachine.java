package dev.cumulus.mail;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.LongUnaryOperator;

/**
 * Every state a message in the outbox can be in and every move between them; nothing else
 * decides a message's next state. Pure: the outbox persists what it answers.
 *
 * <pre>
 *   queued ──claim──▶ sending ──sent──▶ sent
 *                       │  ▲
 *    transient failure, │  │ claim when due
 *    tries left         ▼  │
 *                    retry-wait
 *   sending ──permanent failure (5xx, bad address), or no try left──▶ failed
 *   sending ──node stopped or died──▶ queued (sent again: at-least-once)
 * </pre>
 */
final class MailStateMachine {
    private MailStateMachine() {}

    enum State {
        QUEUED, SENDING, RETRY_WAIT, SENT, FAILED;

        String wire() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static State ofWire(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        boolean terminal() {
            return this == SENT || this == FAILED;
        }

        boolean claimable() {
            return this == QUEUED || this == RETRY_WAIT;
        }
    }

    /** What one try to hand a message to the relay came to. */
    sealed interface Outcome {
        record Sent() implements Outcome {}

        /** The relay was unreachable or answered 4xx: worth trying again. */
        record Transient(String error) implements Outcome {}

        /** The relay refused the message for good (5xx, a malformed address). */
        record Permanent(String error) implements Outcome {}

        /** The node stopped or died during the try; the relay may or may not have the message. */
        record Interrupted() implements Outcome {}
    }

    /** @param nextAttemptAt when a queued or retry-wait message is due; null otherwise */
    record Transition(State state, int attempts, Instant nextAttemptAt, String error) {}

    /** Exponential backoff with jitter: try n waits a random time in [d/2, d], d = min(max, base * 2^(n-1)). */
    record Backoff(Duration base, Duration max, int maxAttempts) {
        Duration delay(int attempt, LongUnaryOperator randomBelow) {
            long ceiling = Math.min(max.toMillis(), base.toMillis() << Math.min(attempt - 1, 30));
            long half = ceiling / 2;
            return Duration.ofMillis(half + randomBelow.applyAsLong(ceiling - half + 1));
        }
    }

    static Transition claim(State from, int attempts) {
        if (!from.claimable()) {
            throw new IllegalStateException("cannot claim a message that is " + from.wire());
        }
        return new Transition(State.SENDING, attempts, null, null);
    }

    /** @param attempts tries that counted before this one */
    static Transition settle(State from, int attempts, Outcome outcome, Backoff backoff, Instant now,
            LongUnaryOperator randomBelow) {
        if (from != State.SENDING) {
            throw new IllegalStateException("only a message being sent settles, not one that is " + from.wire());
        }
        return switch (outcome) {
            case Outcome.Sent s -> new Transition(State.SENT, attempts + 1, null, null);
            case Outcome.Interrupted i -> new Transition(State.QUEUED, attempts, now, null);
            case Outcome.Permanent p -> new Transition(State.FAILED, attempts + 1, null, p.error());
            case Outcome.Transient t -> {
                int counted = attempts + 1;
                yield counted >= backoff.maxAttempts()
                        ? new Transition(State.FAILED, counted, null, t.error())
                        : new Transition(State.RETRY_WAIT, counted, now.plus(backoff.delay(counted, randomBelow)),
                                t.error());
            }
        };
    }

    /** A message being sent when its node stopped or died, found at start. */
    static Transition recover(State from, int attempts, Instant now) {
        if (from != State.SENDING) {
            throw new IllegalStateException("only a message being sent is recovered, not one that is " + from.wire());
        }
        return new Transition(State.QUEUED, attempts, now, null);
    }
}
