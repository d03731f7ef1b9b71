package dev.cumulus.sources;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The connection state of one mapping, in one place. The consume loop drives it:
 *
 * <pre>
 *   DISCONNECTED --connecting()--> CONNECTING --connected()--> CONNECTED
 *        ^                             |                           |
 *        +-----------lost(error)-------+---------lost(error)-------+
 *   any --disable()--> DISABLED --enable()--> DISCONNECTED
 * </pre>
 *
 * While DISABLED, the calls of a runner that is still winding down are ignored (they return
 * false), so a disable never races back to CONNECTED. Each failed attempt in a row doubles the
 * wait before the next one, from {@link #FIRST_RETRY} up to {@link #MAX_RETRY}; a successful
 * connect starts over.
 */
final class ConnectionStateMachine {
    static final Duration FIRST_RETRY = Duration.ofMillis(200);
    static final Duration MAX_RETRY = Duration.ofSeconds(5);

    enum State {
        CONNECTING,
        CONNECTED,
        DISCONNECTED,
        DISABLED
    }

    /** What the API shows. */
    record Snapshot(State state, Instant since, int failedAttempts, String lastError, Instant lastErrorAt) {}

    private final Clock clock;
    private State state;
    private Instant since;
    private int failedAttempts;
    private String lastError;
    private Instant lastErrorAt;

    ConnectionStateMachine(Clock clock, boolean enabled) {
        this.clock = clock;
        this.state = enabled ? State.DISCONNECTED : State.DISABLED;
        this.since = clock.instant();
    }

    /** The loop starts an attempt. @return false when disabled (the loop should end) */
    synchronized boolean connecting() {
        return switch (state) {
            case DISABLED -> false;
            case DISCONNECTED -> move(State.CONNECTING);
            case CONNECTING, CONNECTED -> throw illegal("connecting");
        };
    }

    /** The attempt succeeded. @return false when disabled meanwhile */
    synchronized boolean connected() {
        return switch (state) {
            case DISABLED -> false;
            case CONNECTING -> {
                failedAttempts = 0;
                yield move(State.CONNECTED);
            }
            case CONNECTED, DISCONNECTED -> throw illegal("connected");
        };
    }

    /**
     * The attempt failed or the connection broke.
     *
     * @return how long to wait before the next attempt (zero when disabled)
     */
    synchronized Duration lost(String error) {
        return switch (state) {
            case DISABLED -> Duration.ZERO;
            case CONNECTING, CONNECTED -> {
                failedAttempts++;
                noteError(error);
                move(State.DISCONNECTED);
                yield retryDelay();
            }
            case DISCONNECTED -> throw illegal("lost");
        };
    }

    synchronized void disable() {
        if (state != State.DISABLED) {
            move(State.DISABLED);
        }
    }

    /** Leaves DISABLED with a fresh backoff; a no-op otherwise. */
    synchronized void enable() {
        if (state == State.DISABLED) {
            failedAttempts = 0;
            move(State.DISCONNECTED);
        }
    }

    /** Records a problem that is not a state change, such as a failed invocation. */
    synchronized void noteError(String error) {
        lastError = error;
        lastErrorAt = clock.instant();
    }

    synchronized Duration retryDelay() {
        return backoff(failedAttempts);
    }

    /** The wait after {@code failedAttempts} failed attempts in a row (zero after none). */
    static Duration backoff(long failedAttempts) {
        if (failedAttempts <= 0) {
            return Duration.ZERO;
        }
        return Backoff.doubling(FIRST_RETRY, MAX_RETRY, failedAttempts);
    }

    synchronized State state() {
        return state;
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(state, since, failedAttempts, lastError, lastErrorAt);
    }

    private boolean move(State next) {
        state = next;
        since = clock.instant();
        return true;
    }

    private IllegalStateException illegal(String event) {
        return new IllegalStateException(event + " is not allowed in state " + state);
    }
}
