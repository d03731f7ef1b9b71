package dev.cumulus.scheduler;

import dev.cumulus.registry.FunctionConfig;
import java.time.Duration;
import java.time.Instant;

/**
 * The keep-alive of ADR 0005: the function's {@code keepAliveSeconds}, else the node's default,
 * counted from the moment the instance became idle. Never pre-warms.
 */
public final class FixedKeepAlive implements KeepAlivePolicy {
    private final Duration nodeDefault;

    public FixedKeepAlive(Duration nodeDefault) {
        this.nodeDefault = nodeDefault;
    }

    /** The fixed keep-alive that applies to {@code config}. */
    public Duration keepAlive(FunctionConfig config) {
        return config.keepAliveSeconds() == null ? nodeDefault : Duration.ofSeconds(config.keepAliveSeconds());
    }

    @Override
    public void arrived(String function, Instant at) {}

    @Override
    public Plan idle(String function, FunctionConfig config, Instant idleSince) {
        return Plan.keepUntil(idleSince.plus(keepAlive(config)));
    }

    @Override
    public void forget(String function) {}
}
