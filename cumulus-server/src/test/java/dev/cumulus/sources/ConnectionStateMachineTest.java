package dev.cumulus.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.sources.ConnectionStateMachine.State;
import dev.cumulus.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ConnectionStateMachineTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    private ConnectionStateMachine enabled() {
        return new ConnectionStateMachine(clock, true);
    }

    @Test
    void startsDisconnectedWhenEnabledAndDisabledOtherwise() {
        assertThat(enabled().state()).isEqualTo(State.DISCONNECTED);
        assertThat(new ConnectionStateMachine(clock, false).state()).isEqualTo(State.DISABLED);
        assertThat(enabled().snapshot().lastError()).isNull();
    }

    @Test
    void disconnectedGoesToConnectingAndNothingElse() {
        ConnectionStateMachine machine = enabled();
        assertThatThrownBy(machine::connected).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> machine.lost("x")).isInstanceOf(IllegalStateException.class);
        clock.advance(Duration.ofSeconds(1));
        assertThat(machine.connecting()).isTrue();
        assertThat(machine.state()).isEqualTo(State.CONNECTING);
        assertThat(machine.snapshot().since()).isEqualTo(clock.instant());
    }

    @Test
    void connectingSucceedsOrFailsWithTheErrorRecorded() {
        ConnectionStateMachine machine = enabled();
        machine.connecting();
        assertThatThrownBy(machine::connecting).isInstanceOf(IllegalStateException.class);
        clock.advance(Duration.ofSeconds(2));
        Duration wait = machine.lost("ConnectException: Connection refused");
        assertThat(machine.state()).isEqualTo(State.DISCONNECTED);
        assertThat(wait).isEqualTo(ConnectionStateMachine.FIRST_RETRY);
        var snapshot = machine.snapshot();
        assertThat(snapshot.lastError()).isEqualTo("ConnectException: Connection refused");
        assertThat(snapshot.lastErrorAt()).isEqualTo(clock.instant());
        assertThat(snapshot.failedAttempts()).isEqualTo(1);

        machine.connecting();
        assertThat(machine.connected()).isTrue();
        assertThat(machine.state()).isEqualTo(State.CONNECTED);
        assertThat(machine.snapshot().failedAttempts()).isZero();
        // the last error stays visible after recovering, with its time
        assertThat(machine.snapshot().lastError()).isEqualTo("ConnectException: Connection refused");
    }

    @Test
    void connectedOnlyLosesTheConnection() {
        ConnectionStateMachine machine = enabled();
        machine.connecting();
        machine.connected();
        assertThatThrownBy(machine::connecting).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(machine::connected).isInstanceOf(IllegalStateException.class);
        machine.lost("the MQTT connection was lost");
        assertThat(machine.state()).isEqualTo(State.DISCONNECTED);
        assertThat(machine.snapshot().lastError()).isEqualTo("the MQTT connection was lost");
    }

    @Test
    void failedAttemptsInARowDoubleTheWaitUpToTheCap() {
        ConnectionStateMachine machine = enabled();
        Duration previous = Duration.ZERO;
        Duration wait = Duration.ZERO;
        for (int i = 0; i < 30; i++) {
            machine.connecting();
            wait = machine.lost("refused");
            assertThat(wait).isGreaterThanOrEqualTo(previous);
            if (wait.compareTo(ConnectionStateMachine.MAX_RETRY) < 0) {
                assertThat(wait).isEqualTo(previous.isZero() ? ConnectionStateMachine.FIRST_RETRY : previous.multipliedBy(2));
            }
            previous = wait;
        }
        assertThat(wait).isEqualTo(ConnectionStateMachine.MAX_RETRY);
        machine.connecting();
        machine.connected();
        machine.lost("again");
        assertThat(machine.retryDelay()).isEqualTo(ConnectionStateMachine.FIRST_RETRY);
    }

    @Test
    void disabledIgnoresTheCallsOfAWindingDownLoop() {
        ConnectionStateMachine machine = enabled();
        machine.connecting();
        machine.disable();
        assertThat(machine.state()).isEqualTo(State.DISABLED);
        assertThat(machine.connected()).isFalse();
        assertThat(machine.lost("late")).isZero();
        assertThat(machine.connecting()).isFalse();
        assertThat(machine.state()).isEqualTo(State.DISABLED);
        assertThat(machine.snapshot().lastError()).isNull();
    }

    @Test
    void enableLeavesDisabledWithAFreshBackoff() {
        ConnectionStateMachine machine = enabled();
        machine.connecting();
        machine.lost("refused");
        machine.disable();
        machine.disable();
        assertThat(machine.state()).isEqualTo(State.DISABLED);
        machine.enable();
        assertThat(machine.state()).isEqualTo(State.DISCONNECTED);
        assertThat(machine.retryDelay()).isZero();
        machine.enable();
        assertThat(machine.state()).isEqualTo(State.DISCONNECTED);
        assertThat(machine.connecting()).isTrue();
    }

    @Test
    void notedErrorsDoNotChangeTheState() {
        ConnectionStateMachine machine = enabled();
        machine.connecting();
        machine.connected();
        machine.noteError("invoking f failed: boom");
        assertThat(machine.state()).isEqualTo(State.CONNECTED);
        assertThat(machine.snapshot().lastError()).isEqualTo("invoking f failed: boom");
    }

}
