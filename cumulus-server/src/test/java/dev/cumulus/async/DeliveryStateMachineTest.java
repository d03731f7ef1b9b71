package dev.cumulus.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.async.DeliveryStateMachine.Backoff;
import dev.cumulus.async.DeliveryStateMachine.Condition;
import dev.cumulus.async.DeliveryStateMachine.Outcome;
import dev.cumulus.async.DeliveryStateMachine.Policy;
import dev.cumulus.async.DeliveryStateMachine.State;
import dev.cumulus.async.DeliveryStateMachine.Transition;
import dev.cumulus.registry.AsyncConfig.Destination;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DeliveryStateMachineTest {
    static final Instant ACCEPTED = Instant.parse("2026-11-27T00:00:00Z");
    static final Instant NOW = ACCEPTED.plusSeconds(10);
    static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5));
    static final LongUnaryOperator LOWEST = bound -> 0;
    static final LongUnaryOperator HIGHEST = bound -> bound - 1;
    static final Destination DLQ = new Destination(Destination.Kind.FUNCTION, "dlq");
    static final Destination AUDIT = new Destination(Destination.Kind.TOPIC, "audit");
    static final Policy TWO_RETRIES = new Policy(2, Duration.ofHours(6), null, null);
    static final Policy WITH_DESTINATIONS = new Policy(2, Duration.ofHours(6), AUDIT, DLQ);

    static Transition settle(int attempts, Outcome outcome, Policy policy) {
        return DeliveryStateMachine.settle(State.RUNNING, attempts, ACCEPTED, outcome, policy, BACKOFF, NOW, LOWEST);
    }

    static Outcome.Failure failure() {
        return new Outcome.Failure("java.lang.IllegalStateException", "boom", "$LATEST");
    }

    @Nested
    class Queued {
        @Test
        void isClaimedIntoRunning() {
            assertThat(DeliveryStateMachine.claim(State.QUEUED, 0).state()).isEqualTo(State.RUNNING);
        }

        @Test
        void cannotSettleOrBeRecovered() {
            assertThatThrownBy(() -> DeliveryStateMachine.settle(State.QUEUED, 0, ACCEPTED, failure(), TWO_RETRIES,
                    BACKOFF, NOW, LOWEST)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> DeliveryStateMachine.recover(State.QUEUED, 0, NOW))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Nested
    class RetryWait {
        @Test
        void isClaimedIntoRunningKeepingItsCountedAttempts() {
            Transition t = DeliveryStateMachine.claim(State.RETRY_WAIT, 2);
            assertThat(t.state()).isEqualTo(State.RUNNING);
            assertThat(t.attempts()).isEqualTo(2);
        }

        @Test
        void cannotSettle() {
            assertThatThrownBy(() -> DeliveryStateMachine.settle(State.RETRY_WAIT, 1, ACCEPTED, failure(), TWO_RETRIES,
                    BACKOFF, NOW, LOWEST)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Nested
    class Running {
        @Test
        void succeedsAndHandsTheOutcomeToTheOnSuccessDestination() {
            Transition t = settle(1, new Outcome.Success("\"ok\"".getBytes(), "$LATEST"), WITH_DESTINATIONS);
            assertThat(t.state()).isEqualTo(State.SUCCEEDED);
            assertThat(t.attempts()).isEqualTo(2);
            assertThat(t.destination()).isEqualTo(AUDIT);
            assertThat(t.errorType()).isNull();
        }

        @Test
        void succeedsWithoutADestinationWhenNoneIsSet() {
            assertThat(settle(0, new Outcome.Success(null, "1"), TWO_RETRIES).destination()).isNull();
        }

        @Test
        void aFailureWithRetriesLeftWaitsWithBackoffAndJitter() {
            Transition first = settle(0, failure(), TWO_RETRIES);
            assertThat(first.state()).isEqualTo(State.RETRY_WAIT);
            assertThat(first.attempts()).isEqualTo(1);
            assertThat(first.errorType()).isEqualTo("java.lang.IllegalStateException");
            assertThat(first.errorMessage()).isEqualTo("boom");
            assertThat(first.nextAttemptAt()).isEqualTo(NOW.plusSeconds(1)); // lowest jitter: half of 2 s
            Transition late = DeliveryStateMachine.settle(State.RUNNING, 1, ACCEPTED, failure(), TWO_RETRIES, BACKOFF,
                    NOW, HIGHEST);
            assertThat(late.nextAttemptAt()).isEqualTo(NOW.plusSeconds(4)); // highest jitter: the full 2 s * 2
        }

        @Test
        void theLastAllowedFailureIsDeadLetteredToTheOnFailureDestination() {
            Transition t = settle(2, failure(), WITH_DESTINATIONS);
            assertThat(t.state()).isEqualTo(State.DEAD_LETTERED);
            assertThat(t.attempts()).isEqualTo(3);
            assertThat(t.destination()).isEqualTo(DLQ);
            assertThat(t.condition()).isEqualTo(Condition.RETRIES_EXHAUSTED);
            assertThat(t.errorType()).isEqualTo("java.lang.IllegalStateException");
        }

        @Test
        void theLastAllowedFailureWithoutADestinationEndsFailed() {
            Transition t = settle(2, failure(), TWO_RETRIES);
            assertThat(t.state()).isEqualTo(State.FAILED);
            assertThat(t.destination()).isNull();
            assertThat(t.condition()).isEqualTo(Condition.RETRIES_EXHAUSTED);
        }

        @Test
        void withNoRetriesTheFirstFailureIsTheLast() {
            Transition t = settle(0, failure(), new Policy(0, Duration.ofHours(6), null, DLQ));
            assertThat(t.state()).isEqualTo(State.DEAD_LETTERED);
            assertThat(t.attempts()).isEqualTo(1);
        }

        @Test
        void aRetryThatWouldComeAfterTheMaximumAgeEndsTheEventNow() {
            Policy shortLived = new Policy(5, Duration.ofSeconds(11), null, DLQ);
            Transition t = settle(0, failure(), shortLived); // next try at NOW + 1 s = accepted + 11 s: still in time
            assertThat(t.state()).isEqualTo(State.RETRY_WAIT);
            Transition tooLate = DeliveryStateMachine.settle(State.RUNNING, 1, ACCEPTED, failure(), shortLived, BACKOFF,
                    NOW, LOWEST); // next try at NOW + 2 s: past the age
            assertThat(tooLate.state()).isEqualTo(State.DEAD_LETTERED);
            assertThat(tooLate.condition()).isEqualTo(Condition.EVENT_AGE_EXCEEDED);
        }

        @Test
        void anEventFoundTooOldBeforeItsTryEndsWithoutRunning() {
            Transition t = settle(1, new Outcome.Expired(Duration.ofHours(7)), WITH_DESTINATIONS);
            assertThat(t.state()).isEqualTo(State.DEAD_LETTERED);
            assertThat(t.attempts()).isEqualTo(1);
            assertThat(t.errorType()).isEqualTo("EventAgeExceeded");
            assertThat(t.condition()).isEqualTo(Condition.EVENT_AGE_EXCEEDED);
        }

        @Test
        void throttlingWaitsWithoutCountingTheTry() {
            Transition t = settle(1, new Outcome.Throttled("at its limit"), TWO_RETRIES);
            assertThat(t.state()).isEqualTo(State.RETRY_WAIT);
            assertThat(t.attempts()).isEqualTo(1);
            assertThat(t.errorType()).isEqualTo("Throttled");
        }

        @Test
        void throttlingPastTheMaximumAgeEndsTheEvent() {
            Transition t = DeliveryStateMachine.settle(State.RUNNING, 0, ACCEPTED, new Outcome.Throttled("full"),
                    new Policy(2, Duration.ofSeconds(10), null, null), BACKOFF, NOW, LOWEST);
            assertThat(t.state()).isEqualTo(State.FAILED);
            assertThat(t.condition()).isEqualTo(Condition.EVENT_AGE_EXCEEDED);
        }

        @Test
        void anUndeliverableEventIsNotRetried() {
            Transition t = settle(0, new Outcome.Undeliverable("FunctionNotFound", "function f does not exist"),
                    WITH_DESTINATIONS);
            assertThat(t.state()).isEqualTo(State.DEAD_LETTERED);
            assertThat(t.condition()).isEqualTo(Condition.UNDELIVERABLE);
            assertThat(t.errorType()).isEqualTo("FunctionNotFound");
        }

        @Test
        void anInterruptedTryIsQueuedAgainWithoutCounting() {
            Transition t = settle(1, new Outcome.Interrupted(), WITH_DESTINATIONS);
            assertThat(t.state()).isEqualTo(State.QUEUED);
            assertThat(t.attempts()).isEqualTo(1);
            assertThat(t.nextAttemptAt()).isEqualTo(NOW);
            assertThat(t.destination()).isNull();
        }

        @Test
        void isRecoveredIntoQueuedAfterItsNodeDied() {
            Transition t = DeliveryStateMachine.recover(State.RUNNING, 2, NOW);
            assertThat(t.state()).isEqualTo(State.QUEUED);
            assertThat(t.attempts()).isEqualTo(2);
            assertThat(t.nextAttemptAt()).isEqualTo(NOW);
        }

        @Test
        void cannotBeClaimedTwice() {
            assertThatThrownBy(() -> DeliveryStateMachine.claim(State.RUNNING, 0))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(value = State.class, names = {"SUCCEEDED", "FAILED", "DEAD_LETTERED"})
    void terminalStatesNeverMoveAgain(State terminal) {
        assertThat(terminal.terminal()).isTrue();
        assertThatThrownBy(() -> DeliveryStateMachine.claim(terminal, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DeliveryStateMachine.settle(terminal, 1, ACCEPTED, failure(), TWO_RETRIES, BACKOFF,
                NOW, LOWEST)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DeliveryStateMachine.recover(terminal, 1, NOW)).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @EnumSource(State.class)
    void statesTravelByTheirWireNames(State state) {
        assertThat(State.ofWire(state.wire())).isEqualTo(state);
        assertThat(state.wire()).matches("[a-z-]+");
    }

    @Test
    void backoffDoublesUpToItsCeilingAndJittersWithinTheUpperHalf() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10));
        assertThat(backoff.delay(1, HIGHEST)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(2, HIGHEST)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(3, HIGHEST)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.delay(5, HIGHEST)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.delay(60, HIGHEST)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.delay(3, LOWEST)).isEqualTo(Duration.ofSeconds(2));
    }
}
