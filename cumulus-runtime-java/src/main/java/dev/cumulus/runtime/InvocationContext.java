package dev.cumulus.runtime;

import dev.cumulus.function.Context;
import dev.cumulus.function.FunctionLogger;

/**
 * The {@link Context} of one invocation; the remaining time is computed on each call. The fields
 * after {@code logger} are what only a Lambda {@code Context} shows (see {@link LambdaContexts}):
 * each may be null.
 */
record InvocationContext(String requestId, String functionName, String functionVersion, int memoryLimitMb,
        long deadlineMs, FunctionLogger logger, String invokedFunctionArn, String traceId, String clientContext,
        String cognitoIdentity, String logGroupName, String logStreamName) implements Context {
    InvocationContext(String requestId, String functionName, String functionVersion, int memoryLimitMb,
            long deadlineMs, FunctionLogger logger) {
        this(requestId, functionName, functionVersion, memoryLimitMb, deadlineMs, logger, null, null, null, null,
                null, null);
    }

    @Override
    public long remainingTimeMillis() {
        return Math.max(0, deadlineMs - System.currentTimeMillis());
    }
}
