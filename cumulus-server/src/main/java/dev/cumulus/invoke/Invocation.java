package dev.cumulus.invoke;

import dev.cumulus.scheduler.InvocationResult;

/**
 * The outcome of one invocation as callers see it.
 *
 * @param failure null on success
 */
public record Invocation(
        String requestId,
        String functionName,
        String version,
        byte[] payload,
        InvocationResult.Failure failure,
        boolean coldStart,
        long billedMs) {

    public boolean failed() {
        return failure != null;
    }
}
