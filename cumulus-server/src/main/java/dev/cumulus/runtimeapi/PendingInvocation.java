package dev.cumulus.runtimeapi;

/**
 * An invocation handed to an instance through {@code invocation/next}.
 *
 * @param deadlineEpochMs wall-clock deadline, sent as {@code Lambda-Runtime-Deadline-Ms}
 */
public record PendingInvocation(
        String requestId, long deadlineEpochMs, String functionArn, String traceId, byte[] payload) {}
