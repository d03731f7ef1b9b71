package dev.cumulus.registry;

import java.time.Instant;

/**
 * A function as the control plane shows it: its {@code $LATEST} state and timestamps.
 *
 * @param project the project the function belongs to; a function is known by (project, name)
 */
public record FunctionInfo(String project, FunctionConfig config, CodeRef code, String revision, Instant createdAt,
        Instant updatedAt) {

    /** A function of the default project. */
    public FunctionInfo(FunctionConfig config, CodeRef code, String revision, Instant createdAt, Instant updatedAt) {
        this(FunctionArns.DEFAULT_PROJECT, config, code, revision, createdAt, updatedAt);
    }

    public String name() {
        return config.name();
    }

    /** The function's {@code $LATEST} as a version that can run. */
    public FunctionVersion latest() {
        return new FunctionVersion(project, FunctionVersion.LATEST, revision, config, code, updatedAt);
    }
}
