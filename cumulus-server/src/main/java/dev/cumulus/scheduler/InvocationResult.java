package dev.cumulus.scheduler;

/**
 * What came back from an instance, with the timings metering needs.
 *
 * @param durationMicros from hand-off to the instance until its answer
 * @param initDurationMicros instance start-up time when this invocation started it, else 0
 */
public record InvocationResult(
        Answer answer, String instanceId, boolean coldStart, long initDurationMicros, long durationMicros) {

    /** The closed set of ways an invocation ends once it reached (or tried to reach) an instance. */
    public sealed interface Answer {}

    /** The function returned; {@code payload} is its JSON result. */
    public record Success(byte[] payload) implements Answer {}

    /**
     * The invocation failed. {@code errorJson} is the Lambda-shaped error document
     * ({@code errorType}, {@code errorMessage}, {@code stackTrace}).
     */
    public record Failure(Kind kind, String errorType, String errorMessage, byte[] errorJson) implements Answer {}

    /** Why a failure happened, for metering and for whether the instance survives it. */
    public enum Kind {
        /** The function threw or reported an error; the instance lives on. */
        FUNCTION_ERROR,
        /** The function could not be initialised (bad handler, init threw). */
        INIT_ERROR,
        TIMEOUT,
        /** The instance died: exit, out of memory, pids limit, launch failure. */
        CRASH
    }
}
