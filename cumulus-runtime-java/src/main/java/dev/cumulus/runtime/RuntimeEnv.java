package dev.cumulus.runtime;

import java.util.Map;

/** The environment the node sets for the runtime process (see {@link Main}). */
record RuntimeEnv(String socketPath, String runtimeApi, String handler, String taskRoot, String functionName,
        String functionVersion, int memoryMb, int maxConcurrency, String logGroupName, String logStreamName) {
    /** Lambda's default memory size, for a node that forgot to say. */
    static final int DEFAULT_MEMORY_MB = 128;

    static RuntimeEnv from(Map<String, String> env) {
        return new RuntimeEnv(blankToNull(env.get("CUMULUS_RUNTIME_SOCKET")),
                blankToNull(env.get("AWS_LAMBDA_RUNTIME_API")), blankToNull(env.get("_HANDLER")),
                blankToNull(env.get("LAMBDA_TASK_ROOT")), env.getOrDefault("AWS_LAMBDA_FUNCTION_NAME", ""),
                env.getOrDefault("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
                positive(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), DEFAULT_MEMORY_MB),
                positive(env.get("AWS_LAMBDA_MAX_CONCURRENCY"), 1), blankToNull(env.get("AWS_LAMBDA_LOG_GROUP_NAME")),
                blankToNull(env.get("AWS_LAMBDA_LOG_STREAM_NAME")));
    }

    private static int positive(String value, int fallback) {
        if (value != null) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        return fallback;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
