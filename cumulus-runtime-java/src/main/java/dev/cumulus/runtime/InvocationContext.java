package dev.cumulus.runtime;

import dev.cumulus.function.Context;
import dev.cumulus.function.FunctionLogger;

/** The {@link Context} of one invocation; the remaining time is computed on each call. */
record InvocationContext(String requestId, String functionName, String functionVersion, int memoryLimitMb,
        long deadlineMs, FunctionLogger logger) implements Context {
    @Override
    public long remainingTimeMillis() {
        return Math.max(0, deadlineMs - System.currentTimeMillis());
    }
}
