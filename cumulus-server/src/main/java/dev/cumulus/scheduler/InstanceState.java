package dev.cumulus.scheduler;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of an instance, and the only transitions allowed between its states:
 *
 * <pre>
 * STARTING -> IDLE | BUSY | GONE     (ready; ready with the invocation that started it; failed init)
 * IDLE     -> BUSY | DRAINING | GONE (picked; keep-alive expired or retired; crashed)
 * BUSY     -> IDLE | BUSY | DRAINING | GONE (done; more work; retired while busy; crashed or timed out)
 * DRAINING -> GONE                   (its last invocation finished, process destroyed)
 * GONE     -> (nothing)
 * </pre>
 */
public enum InstanceState {
    STARTING,
    IDLE,
    BUSY,
    DRAINING,
    GONE;

    private Set<InstanceState> next() {
        return switch (this) {
            case STARTING -> EnumSet.of(IDLE, BUSY, GONE);
            case IDLE -> EnumSet.of(BUSY, DRAINING, GONE);
            case BUSY -> EnumSet.of(IDLE, BUSY, DRAINING, GONE);
            case DRAINING -> EnumSet.of(GONE);
            case GONE -> EnumSet.noneOf(InstanceState.class);
        };
    }

    public boolean canMoveTo(InstanceState target) {
        return next().contains(target);
    }

    /** Moves to {@code target} or fails loudly: an illegal transition is a scheduler bug. */
    InstanceState moveTo(InstanceState target) {
        if (!canMoveTo(target)) {
            throw new IllegalStateException("instance cannot go from " + this + " to " + target);
        }
        return target;
    }
}
