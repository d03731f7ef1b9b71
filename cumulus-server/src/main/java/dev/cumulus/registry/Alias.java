package dev.cumulus.registry;

import java.time.Instant;

/**
 * A named pointer to a version of a function, as Lambda has them: {@code live -> 3}, optionally
 * sending a share of the invocations to a second version ({@code live -> 3, 10% to 4}).
 *
 * @param routing null when every invocation goes to {@code functionVersion}
 * @param revision changes on every update, for optimistic checks by callers
 */
public record Alias(String functionName, String name, String functionVersion, String description, Routing routing,
        String revision, Instant createdAt, Instant updatedAt) {

    /**
     * A second version and the share of invocations it gets.
     *
     * @param weightPpm parts per million of invocations routed to {@code version} (0..1,000,000)
     */
    public record Routing(String version, long weightPpm) {
        public static final long WHOLE = 1_000_000;

        public double weight() {
            return weightPpm / (double) WHOLE;
        }
    }

    /** What a caller sets on an alias; the registry validates it. */
    public record Spec(String functionVersion, String description, Routing routing) {}
}
