package dev.cumulus.bench.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic invocation trace with the skew of the Azure Functions trace ("Serverless in the
 * Wild", section 3): most functions are called less than once an hour, a few many times a
 * second, timers are common, and some traffic comes in bursts. Seeded, so a run is repeatable.
 */
record Trace(long durationMillis, List<Fn> functions) {

    enum Kind { RARE, TIMER, MODERATE, BURSTY, FREQUENT, HOT }

    /** One function: its memory, a typical execution time and its arrival times (ms, sorted). */
    record Fn(String name, Kind kind, int memoryMb, long executionMillis, long[] arrivals) {}

    private static final long HOUR = 3_600_000;

    static Trace generate(long seed, int functions, long durationMillis) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Fn> list = new ArrayList<>();
        for (int i = 0; i < functions; i++) {
            Kind kind = pickKind(random.nextDouble());
            int memory = new int[] {128, 256, 256, 512, 1024}[random.nextInt(5)];
            long execution = (long) logUniform(random, 10, 2_000);
            long[] arrivals = switch (kind) {
                case RARE -> poisson(random, durationMillis, logUniform(random, 24 * HOUR, HOUR));
                case MODERATE -> poisson(random, durationMillis, logUniform(random, HOUR, 60_000));
                case FREQUENT -> poisson(random, durationMillis, logUniform(random, 60_000, 1_000));
                case HOT -> poisson(random, durationMillis, logUniform(random, 1_000, 50));
                case TIMER -> timer(random, durationMillis,
                        new long[] {1, 5, 10, 15, 30, 60, 120, 360, 720}[random.nextInt(9)] * 60_000);
                case BURSTY -> bursts(random, durationMillis, logUniform(random, 6 * HOUR, HOUR / 2));
            };
            list.add(new Fn(kind.name().toLowerCase() + "-" + i, kind, memory, execution, arrivals));
        }
        return new Trace(durationMillis, List.copyOf(list));
    }

    /** Shares of the kinds: about half the functions below one call an hour, 2 % hot. */
    private static Kind pickKind(double u) {
        if (u < 0.40) return Kind.RARE;
        if (u < 0.58) return Kind.TIMER;
        if (u < 0.80) return Kind.MODERATE;
        if (u < 0.92) return Kind.BURSTY;
        if (u < 0.98) return Kind.FREQUENT;
        return Kind.HOT;
    }

    private static double logUniform(SplittableRandom random, double a, double b) {
        double lo = Math.log(Math.min(a, b)), hi = Math.log(Math.max(a, b));
        return Math.exp(lo + random.nextDouble() * (hi - lo));
    }

    private static long[] poisson(SplittableRandom random, long duration, double meanGapMillis) {
        LongList out = new LongList();
        double t = exponential(random, meanGapMillis);
        while (t < duration) {
            out.add((long) t);
            t += exponential(random, meanGapMillis);
        }
        return out.toArray();
    }

    /** A cron-like timer: fixed period, a random phase and up to two seconds of jitter. */
    private static long[] timer(SplittableRandom random, long duration, long period) {
        LongList out = new LongList();
        for (long t = random.nextLong(period); t < duration; t += period) {
            out.add(t + random.nextLong(2_000));
        }
        return out.toArray();
    }

    /** Bursts of 5-50 calls a few seconds apart, the bursts themselves Poisson. */
    private static long[] bursts(SplittableRandom random, long duration, double meanBurstGap) {
        LongList out = new LongList();
        double t = exponential(random, meanBurstGap);
        while (t < duration) {
            int calls = 5 + random.nextInt(46);
            double spacing = logUniform(random, 2_000, 20_000);
            double c = t;
            for (int i = 0; i < calls && c < duration; i++) {
                out.add((long) c);
                c += exponential(random, spacing);
            }
            t = c + exponential(random, meanBurstGap);
        }
        return out.toArray();
    }

    private static double exponential(SplittableRandom random, double mean) {
        return -Math.log(1 - random.nextDouble()) * mean;
    }

    long invocations() {
        return functions.stream().mapToLong(f -> f.arrivals().length).sum();
    }

    private static final class LongList {
        private long[] values = new long[16];
        private int size;

        void add(long v) {
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }

        long[] toArray() {
            long[] out = Arrays.copyOf(values, size);
            Arrays.sort(out); // timer jitter may swap neighbours in theory
            return out;
        }
    }
}
