package dev.cumulus.scheduler;

import dev.cumulus.registry.FunctionConfig;
import java.time.Duration;

/**
 * Decides how long an idle instance of a function is kept before it is stopped: the function's
 * own keep-alive when it sets one, the node's default otherwise. Adaptive policies replace this.
 */
public final class KeepAlivePolicy {
    private final Duration nodeDefault;

    public KeepAlivePolicy(Duration nodeDefault) {
        this.nodeDefault = nodeDefault;
    }

    public Duration keepAlive(FunctionConfig config) {
        return config.keepAliveSeconds() == null ? nodeDefault : Duration.ofSeconds(config.keepAliveSeconds());
    }
}
