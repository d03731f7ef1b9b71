package dev.cumulus.iam;

import dev.cumulus.errors.ApiException;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Per-project quotas and rate limits (issue 11, part 8), for the functions capability and the
 * invoker to ask: a breach is an {@link ApiException}, never a crash. Rates are {@code 429
 * TooManyRequests} (with {@code retryAfterSeconds}); quotas are {@code 403 QuotaExceeded}.
 *
 * <ul>
 *   <li>{@link #admitInvocation}: invocations per second, a token bucket (Bucket4j) per project,
 *       refilled greedily, with one second's worth as its burst;
 *   <li>{@link #maxInstances}: concurrent instances, for the scheduler, which counts them;
 *   <li>{@link #checkFunctions}, {@link #checkCodeBytes}: counts the caller knows (functions of
 *       the project, code bytes stored), checked before a deploy or upload adds to them.
 * </ul>
 * Limits are read per call through {@code limits}, so a changed limit applies at once (a
 * bucket is rebuilt when its project's rate changes).
 */
public final class Quotas {

    /** A project's limits; {@link #UNLIMITED} for a field means no limit. */
    public static final class Limits {
        public static final long UNLIMITED = Long.MAX_VALUE;
        long functions = UNLIMITED;
        long concurrentInstances = UNLIMITED;
        long codeBytes = UNLIMITED;
        long invocationsPerSecond = UNLIMITED;

        public Limits functions(long value) {
            functions = positive(value, "functions");
            return this;
        }

        public Limits concurrentInstances(long value) {
            concurrentInstances = positive(value, "concurrentInstances");
            return this;
        }

        public Limits codeBytes(long value) {
            codeBytes = positive(value, "codeBytes");
            return this;
        }

        public Limits invocationsPerSecond(long value) {
            invocationsPerSecond = positive(value, "invocationsPerSecond");
            return this;
        }

        private static long positive(long value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1");
            }
            return value;
        }
    }

    private record Rate(long perSecond, Bucket bucket) {}

    private final Function<String, Limits> limits;
    private final Map<String, Rate> rates = new ConcurrentHashMap<>();

    public Quotas(Function<String, Limits> limits) {
        this.limits = limits;
    }

    /** @throws ApiException 429 TooManyRequests when the project's invocation rate is spent */
    public void admitInvocation(String project) {
        long perSecond = limits.apply(project).invocationsPerSecond;
        if (perSecond == Limits.UNLIMITED) {
            return;
        }
        Rate rate = rates.compute(project, (p, old) -> old != null && old.perSecond() == perSecond ? old
                : new Rate(perSecond, Bucket.builder().addLimit(Bandwidth.builder().capacity(perSecond)
                        .refillGreedy(perSecond, Duration.ofSeconds(1)).build()).build()));
        ConsumptionProbe probe = rate.bucket().tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1);
            throw new ApiException(429, "TooManyRequests", "project " + project + " may invoke " + perSecond
                    + " times per second", Map.of("retryAfterSeconds", seconds));
        }
    }

    /**
     * The most instances the project may run at once ({@link Limits#UNLIMITED} for no limit): the
     * scheduler counts them, and an invocation that finds the project full waits in its
     * function's queue like one that finds the function full, then gets {@code 429}.
     */
    public long maxInstances(String project) {
        return limits.apply(project).concurrentInstances;
    }

    /** @throws ApiException 403 QuotaExceeded when one more function would pass the quota */
    public void checkFunctions(String project, long existing) {
        long max = limits.apply(project).functions;
        if (existing + 1 > max) {
            throw quota(project, "functions", max, existing + 1);
        }
    }

    /** @throws ApiException 403 QuotaExceeded when {@code adding} bytes of code would pass the quota */
    public void checkCodeBytes(String project, long stored, long adding) {
        long max = limits.apply(project).codeBytes;
        if (adding > max - stored) {
            throw quota(project, "codeBytes", max, stored + adding);
        }
    }

    private static ApiException quota(String project, String what, long max, long wanted) {
        return new ApiException(403, "QuotaExceeded", "project " + project + " may have " + max + " " + what
                + "; this would make " + wanted, Map.of("quota", what, "limit", max));
    }
}
