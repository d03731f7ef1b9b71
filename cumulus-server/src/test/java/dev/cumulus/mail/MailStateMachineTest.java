package dev.cumulus.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.mail.MailStateMachine.Backoff;
import dev.cumulus.mail.MailStateMachine.Outcome;
import dev.cumulus.mail.MailStateMachine.State;
import dev.cumulus.mail.MailStateMachine.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/** The outbox's one state machine, state by state and outcome by outcome. */
class MailStateMachineTest {
    static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(1), 4);
    /** Always the longest wait: d. */
    static final LongUnaryOperator TOP = bound -> bound - 1;

    @Test
    void queuedAndRetryWaitMessagesAreClaimedIntoSending() {
        assertThat(MailStateMachine.claim(State.QUEUED, 0)).isEqualTo(new Transition(State.SENDING, 0, null, null));
        assertThat(MailStateMachine.claim(State.RETRY_WAIT, 2)).isEqualTo(new Transition(State.SENDING, 2, null, null));
    }

    @Test
    void sendingSentAndFailedMessagesCannotBeClaimed() {
        for (State state : new State[] {State.SENDING, State.SENT, State.FAILED}) {
            assertThatThrownBy(() -> MailStateMachine.claim(state, 0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(state.wire());
        }
    }

    @Test
    void aSentMessageIsSentAndCountsItsTry() {
        Transition t = MailStateMachine.settle(State.SENDING, 1, new Outcome.Sent(), BACKOFF, NOW, TOP);
        assertThat(t).isEqualTo(new Transition(State.SENT, 2, null, null));
        assertThat(t.state().terminal()).isTrue();
    }

    @Test
    void aTransientFailureWaitsLongerEachTry() {
        Transition first = MailStateMachine.settle(State.SENDING, 0, new Outcome.Transient("refused"), BACKOFF, NOW, TOP);
        assertThat(first.state()).isEqualTo(State.RETRY_WAIT);
        assertThat(first.attempts()).isEqualTo(1);
        assertThat(first.nextAttemptAt()).isEqualTo(NOW.plusSeconds(5));
        assertThat(first.error()).isEqualTo("refused");
        Transition second = MailStateMachine.settle(State.SENDING, 1, new Outcome.Transient("refused"), BACKOFF, NOW, TOP);
        assertThat(second.nextAttemptAt()).isEqualTo(NOW.plusSeconds(10));
        Transition third = MailStateMachine.settle(State.SENDING, 2, new Outcome.Transient("refused"), BACKOFF, NOW, TOP);
        assertThat(third.nextAttemptAt()).isEqualTo(NOW.plusSeconds(20));
    }

    @Test
    void theWaitHasJitterBetweenHalfAndAllOfItsCeiling() {
        Duration shortest = BACKOFF.delay(3, bound -> 0);
        Duration longest = BACKOFF.delay(3, bound -> bound - 1);
        assertThat(shortest).isEqualTo(Duration.ofSeconds(10));
        assertThat(longest).isEqualTo(Duration.ofSeconds(20));
        assertThat(BACKOFF.delay(30, bound -> bound - 1)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aTransientFailureOnTheLastTryFailsForGood() {
        Transition t = MailStateMachine.settle(State.SENDING, 3, new Outcome.Transient("still down"), BACKOFF, NOW, TOP);
        assertThat(t).isEqualTo(new Transition(State.FAILED, 4, null, "still down"));
    }

    @Test
    void aPermanentFailureFailsAtOnce() {
        Transition t = MailStateMachine.settle(State.SENDING, 0, new Outcome.Permanent("550 no such user"), BACKOFF, NOW, TOP);
        assertThat(t).isEqualTo(new Transition(State.FAILED, 1, null, "550 no such user"));
    }

    @Test
    void anInterruptedTryIsQueuedAgainWithoutCounting() {
        Transition t = MailStateMachine.settle(State.SENDING, 2, new Outcome.Interrupted(), BACKOFF, NOW, TOP);
        assertThat(t).isEqualTo(new Transition(State.QUEUED, 2, NOW, null));
    }

    @Test
    void onlyASendingMessageSettlesOrIsRecovered() {
        assertThatThrownBy(() -> MailStateMachine.settle(State.QUEUED, 0, new Outcome.Sent(), BACKOFF, NOW, TOP))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> MailStateMachine.recover(State.SENT, 0, NOW)).isInstanceOf(IllegalStateException.class);
        assertThat(MailStateMachine.recover(State.SENDING, 1, NOW)).isEqualTo(new Transition(State.QUEUED, 1, NOW, null));
    }

    @Test
    void statesAreStoredInTheirWireNames() {
        assertThat(State.RETRY_WAIT.wire()).isEqualTo("retry-wait");
        for (State state : State.values()) {
            assertThat(State.ofWire(state.wire())).isEqualTo(state);
        }
    }
}
