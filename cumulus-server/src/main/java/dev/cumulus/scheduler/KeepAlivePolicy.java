package dev.cumulus.scheduler;

import dev.cumulus.registry.FunctionConfig;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides how long an idle instance of a function is kept and whether one should be started again
 * ahead of the next predicted invocation. Implementations are pure logic: the caller passes the
 * time, so the same class runs in the scheduler and in the trace-driven simulation.
 */
public interface KeepAlivePolicy {

    /** An invocation of {@code function} arrived at {@code at}. */
    void arrived(String function, Instant at);

    /**
     * What to do with an instance of {@code function} (the name {@link #arrived} was told, which
     * the scheduler qualifies with the project) with settings {@code config}, idle since {@code idleSince}.
     */
    Plan idle(String function, FunctionConfig config, Instant idleSince);

    /** {@link #idle(String, FunctionConfig, Instant)} for a function known by its bare name. */
    default Plan idle(FunctionConfig config, Instant idleSince) {
        return idle(config.name(), config, idleSince);
    }

    /** The function is gone; drop what was learnt about it. */
    void forget(String function);

    /**
     * An idle instance lives until {@code keepUntil} (at or before the moment it became idle means
     * stop it now). When {@code prewarmAt} is set, one instance is started again at that time and
     * lives, unless used, until {@code prewarmUntil}.
     */
    record Plan(Instant keepUntil, Instant prewarmAt, Instant prewarmUntil) {
        public Plan {
            Objects.requireNonNull(keepUntil);
            if ((prewarmAt == null) != (prewarmUntil == null)) {
                throw new IllegalArgumentException("a pre-warm needs both its start and its end");
            }
        }

        public static Plan keepUntil(Instant until) {
            return new Plan(until, null, null);
        }

        public boolean prewarms() {
            return prewarmAt != null;
        }
    }
}
