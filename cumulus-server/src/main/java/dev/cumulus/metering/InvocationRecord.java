package dev.cumulus.metering;

import java.time.Instant;

/**
 * What one invocation cost: the unit of metering and billing.
 *
 * @param durationMicros time the function ran, from hand-off to the instance to its answer
 * @param billedMs duration rounded up to the next millisecond (at least 1)
 * @param initDurationMicros time spent starting the instance for a cold start, 0 when warm
 */
public record InvocationRecord(
        String requestId,
        String functionName,
        String version,
        Instant start,
        long durationMicros,
        long billedMs,
        int memoryMb,
        boolean coldStart,
        long initDurationMicros,
        Outcome outcome) {

    /** GB-seconds as billed: billed milliseconds times memory in GB (1 GB = 1024 MB). */
    public double gbSeconds() {
        return (billedMs / 1000.0) * (memoryMb / 1024.0);
    }

    public static long billedMillis(long durationMicros) {
        return Math.max(1, (durationMicros + 999) / 1000);
    }
}
