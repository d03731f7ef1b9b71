package dev.cumulus.metering;

import java.time.Instant;
import java.util.Objects;

/**
 * What one invocation cost: the unit of metering and billing.
 *
 * @param project the project of the function, whose usage this counts towards
 * @param durationMicros time the function ran, from hand-off to the instance to its answer
 * @param billedMs duration rounded up to the next millisecond (at least 1)
 * @param initDurationMicros time spent starting the instance for a cold start, 0 when warm
 */
public record InvocationRecord(
        String requestId,
        String project,
        String functionName,
        String version,
        Instant start,
        long durationMicros,
        long billedMs,
        int memoryMb,
        boolean coldStart,
        long initDurationMicros,
        Outcome outcome) {
    /** The project of records that name none (FunctionArns.DEFAULT_PROJECT; metering stays below registry). */
    static final String DEFAULT_PROJECT = "default";

    public InvocationRecord {
        Objects.requireNonNull(project, "project");
    }

    /** A record of a function of the default project. */
    public InvocationRecord(String requestId, String functionName, String version, Instant start, long durationMicros,
            long billedMs, int memoryMb, boolean coldStart, long initDurationMicros, Outcome outcome) {
        this(requestId, DEFAULT_PROJECT, functionName, version, start, durationMicros, billedMs, memoryMb, coldStart,
                initDurationMicros, outcome);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** GB-seconds as billed: billed milliseconds times memory in GB (1 GB = 1024 MB). */
    public double gbSeconds() {
        return (billedMs / 1000.0) * (memoryMb / 1024.0);
    }

    public static long billedMillis(long durationMicros) {
        return Math.max(1, (durationMicros + 999) / 1000);
    }

    public static final class Builder {
        private String requestId;
        private String project = DEFAULT_PROJECT;
        private String functionName;
        private String version;
        private Instant start;
        private long durationMicros;
        private long billedMs;
        private int memoryMb;
        private boolean coldStart;
        private long initDurationMicros;
        private Outcome outcome;

        private Builder() {}

        public Builder requestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        public Builder project(String project) {
            this.project = project;
            return this;
        }

        public Builder functionName(String functionName) {
            this.functionName = functionName;
            return this;
        }

        public Builder version(String version) {
            this.version = version;
            return this;
        }

        public Builder start(Instant start) {
            this.start = start;
            return this;
        }

        public Builder durationMicros(long durationMicros) {
            this.durationMicros = durationMicros;
            return this;
        }

        public Builder billedMs(long billedMs) {
            this.billedMs = billedMs;
            return this;
        }

        public Builder memoryMb(int memoryMb) {
            this.memoryMb = memoryMb;
            return this;
        }

        public Builder coldStart(boolean coldStart) {
            this.coldStart = coldStart;
            return this;
        }

        public Builder initDurationMicros(long initDurationMicros) {
            this.initDurationMicros = initDurationMicros;
            return this;
        }

        public Builder outcome(Outcome outcome) {
            this.outcome = outcome;
            return this;
        }

        public InvocationRecord build() {
            return new InvocationRecord(requestId, project, functionName, version, start, durationMicros, billedMs,
                    memoryMb, coldStart, initDurationMicros, outcome);
        }
    }
}
