package dev.cumulus.registry;

import java.time.Instant;

/** A function as the control plane shows it: its {@code $LATEST} state and timestamps. */
public record FunctionInfo(FunctionConfig config, CodeRef code, String revision, Instant createdAt, Instant updatedAt) {
    public String name() {
        return config.name();
    }
}
