package dev.cumulus.registry;

import java.time.Instant;

/**
 * An immutable snapshot of a function that can run: configuration plus code.
 *
 * @param project the project the function belongs to; a function is known by (project, name)
 * @param version {@code $LATEST} for the current draft, or a published number ("1", "2", ...)
 * @param revision changes every time {@code $LATEST} changes, so instances of an older
 *     {@code $LATEST} are never reused for the new one; equals the version for published ones
 */
public record FunctionVersion(String project, String version, String revision, FunctionConfig config, CodeRef code,
        Instant createdAt) {
    public static final String LATEST = "$LATEST";

    /** A version of a function in the default project. */
    public FunctionVersion(String version, String revision, FunctionConfig config, CodeRef code, Instant createdAt) {
        this(FunctionArns.DEFAULT_PROJECT, version, revision, config, code, createdAt);
    }

    public String functionName() {
        return config.name();
    }
}
