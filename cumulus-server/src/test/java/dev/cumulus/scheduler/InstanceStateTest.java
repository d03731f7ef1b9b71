package dev.cumulus.scheduler;

import static dev.cumulus.scheduler.InstanceState.BUSY;
import static dev.cumulus.scheduler.InstanceState.DRAINING;
import static dev.cumulus.scheduler.InstanceState.GONE;
import static dev.cumulus.scheduler.InstanceState.IDLE;
import static dev.cumulus.scheduler.InstanceState.STARTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The instance lifecycle, state by state: every allowed transition and every forbidden one. */
class InstanceStateTest {
    private static final Map<InstanceState, Set<InstanceState>> ALLOWED = Map.of(
            STARTING, EnumSet.of(IDLE, BUSY, GONE),
            IDLE, EnumSet.of(BUSY, DRAINING, GONE),
            BUSY, EnumSet.of(IDLE, BUSY, DRAINING, GONE),
            DRAINING, EnumSet.of(GONE),
            GONE, EnumSet.noneOf(InstanceState.class));

    @Test
    void everyStateAllowsExactlyItsTransitions() {
        for (InstanceState from : InstanceState.values()) {
            for (InstanceState to : InstanceState.values()) {
                boolean allowed = ALLOWED.get(from).contains(to);
                assertThat(from.canMoveTo(to)).as(from + " -> " + to).isEqualTo(allowed);
                if (allowed) {
                    assertThat(from.moveTo(to)).isEqualTo(to);
                } else {
                    assertThatThrownBy(() -> from.moveTo(to)).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining(from.name()).hasMessageContaining(to.name());
                }
            }
        }
    }

    @Test
    void goneIsFinalAndStartingNeverComesBack() {
        assertThat(EnumSet.allOf(InstanceState.class)).noneMatch(GONE::canMoveTo);
        assertThat(EnumSet.allOf(InstanceState.class)).noneMatch(s -> s.canMoveTo(STARTING));
    }
}
