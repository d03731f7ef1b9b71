package dev.cumulus.scheduler;

import dev.cumulus.registry.FunctionConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hybrid histogram keep-alive of "Serverless in the Wild" (Shahrad et al., USENIX ATC'20),
 * per function. Idle times (here: the gaps between invocation arrivals) go into a histogram of
 * one-minute bins over four hours. With enough of them, and a histogram that is concentrated
 * enough to predict anything (judged beyond what sampling noise alone gives), the next invocation
 * is expected between the 5th and the 99th percentile after the last one: an idle instance is
 * stopped at once and one is started again shortly before that window (the pre-warm), or, when
 * the window starts right away, the instance is simply kept until its end. A cost-aware cap (not
 * in the paper) cuts the window's tail where keeping the instance costs more idle time than the
 * cold starts it saves are worth. See docs/adr/0006-adaptive-keep-alive.md.
 *
 * <p>A function's own {@code keepAliveSeconds} always wins: users who set one get exactly it.
 */
public final class HybridHistogramPolicy implements KeepAlivePolicy {

    /**
     * The knobs of the policy; {@link #paper} gives the paper's values where it gives them.
     *
     * @param bin width of one histogram bin
     * @param bins number of bins; {@code bin * bins} is the range, longer gaps are out of range
     * @param minSamples gaps needed before the histogram is trusted
     * @param minCv a histogram whose bin counts vary less than this (coefficient of variation)
     *     is spread too evenly to predict the next arrival
     * @param head percentile that starts the predicted window (pre-warm)
     * @param tail percentile that ends it (keep-alive)
     * @param margin the window is widened by this fraction on both sides
     * @param outOfRangeShare above this share of out-of-range gaps the histogram is not used
     * @param ageAt when this many gaps are counted, every count is halved so that the
     *     histogram follows a function whose pattern changes
     * @param coldStartWorth how much idle instance time one avoided cold start is worth, for the
     *     cost-aware cap on the window (not in the paper)
     */
    public record Settings(Duration bin, int bins, int minSamples, double minCv, double head, double tail,
            double margin, double outOfRangeShare, long ageAt, Duration coldStartWorth) {
        /**
         * The paper's values, and a cold start worth {@code coldStartWorth}. The node passes its
         * fixed keep-alive: keeping an idle instance for as long as a cold start is worth is the
         * break-even rule of ski rental, so a fixed keep-alive of ten minutes prices a cold start
         * at ten minutes of idle instance, and the cap spends idle time at that same rate.
         */
        public static Settings paper(Duration coldStartWorth) {
            return new Settings(Duration.ofMinutes(1), 240, 10, 2.0, 0.05, 0.99, 0.10, 0.5, 4096, coldStartWorth);
        }
    }

    /** Why the windows are what they are. */
    public enum Mode {
        /** Fewer gaps than {@link Settings#minSamples}: the fixed keep-alive. */
        LEARNING,
        /** Gaps spread evenly over the range: the fixed keep-alive. */
        NOT_REPRESENTATIVE,
        /** Pre-warm and keep-alive from the histogram. */
        HISTOGRAM,
        /** Pre-warm from the histogram, keep-alive cut short where the tail does not pay for itself. */
        TAIL_CAPPED,
        /** No window after the head pays for its idle time: stopped at once, the next call is cold. */
        NOT_WORTH_KEEPING,
        /** Mostly gaps beyond the range, and the recent ones regular: predicted from them. */
        OUT_OF_RANGE_PREDICTED,
        /** Mostly gaps beyond the range, irregular ones: the fixed keep-alive. */
        OUT_OF_RANGE
    }

    /**
     * The learnt windows of a function, measured from its last arrival: start one instance
     * {@code prewarm} after it (zero: keep the idle one) and keep it until {@code keepAlive}
     * after it. For the modes that fall back to the fixed keep-alive both are null; for
     * {@link Mode#NOT_WORTH_KEEPING} both are zero (the idle instance is stopped at once).
     */
    public record Windows(Mode mode, Duration prewarm, Duration keepAlive) {
        public boolean predicted() {
            return prewarm != null;
        }
    }

    private static final int RECENT_LONG_GAPS = 4;
    private static final int MIN_LONG_GAPS = 3;
    private static final double MAX_LONG_GAP_CV = 0.1;

    private final FixedKeepAlive fixed;
    private final Settings settings;
    /**
     * A node keep-alive shorter than one bin is finer than anything the histogram can say: the
     * operator asked for instances to leave quickly, and the learnt windows (a bin or more) would
     * keep them minutes past it. Then the fixed keep-alive is the whole policy.
     */
    private final boolean learns;
    private final Map<String, History> histories = new ConcurrentHashMap<>();

    public HybridHistogramPolicy(Duration nodeDefault) {
        this(nodeDefault, Settings.paper(nodeDefault));
    }

    public HybridHistogramPolicy(Duration nodeDefault, Settings settings) {
        this.fixed = new FixedKeepAlive(nodeDefault);
        this.settings = settings;
        this.learns = nodeDefault.compareTo(settings.bin()) >= 0;
    }

    @Override
    public void arrived(String function, Instant at) {
        histories.computeIfAbsent(function, f -> new History(settings)).arrived(at);
    }

    @Override
    public Plan idle(String function, FunctionConfig config, Instant idleSince) {
        History history = config.keepAliveSeconds() == null && learns ? histories.get(function) : null;
        if (history == null) {
            return fixed.idle(config, idleSince);
        }
        History.Snapshot now = history.snapshot();
        Windows windows = now.windows();
        if (!windows.predicted() || now.lastArrival() == null) {
            return fixed.idle(config, idleSince);
        }
        Instant end = now.lastArrival().plus(windows.keepAlive());
        Instant prewarmAt = now.lastArrival().plus(windows.prewarm());
        if (windows.prewarm().isZero() || !prewarmAt.isAfter(idleSince)) {
            return Plan.keepUntil(end.isAfter(idleSince) ? end : idleSince);
        }
        return new Plan(idleSince, prewarmAt, end);
    }

    @Override
    public void forget(String function) {
        histories.remove(function);
    }

    /** The current windows of {@code function}, whatever its own setting says (for reports and tests). */
    public Windows windows(String function) {
        History history = histories.get(function);
        return history == null ? new Windows(Mode.LEARNING, null, null) : history.snapshot().windows();
    }

    /** One function's gaps; its own lock, so functions never contend with each other. */
    private static final class History {
        record Snapshot(Windows windows, Instant lastArrival) {}

        private final Settings settings;
        private final long binNanos;
        private final long[] counts;
        private final long[] recentLong = new long[RECENT_LONG_GAPS];
        private int longGapsSeen;
        private long inRange;
        private long outOfRange;
        private Instant lastArrival;
        private Windows windows = new Windows(Mode.LEARNING, null, null);
        private boolean stale;

        History(Settings settings) {
            this.settings = settings;
            this.binNanos = settings.bin().toNanos();
            this.counts = new long[settings.bins()];
        }

        synchronized void arrived(Instant at) {
            if (lastArrival != null) {
                // concurrent callers may report arrivals a hair out of order; that is a zero gap
                long gap = Math.max(0, Duration.between(lastArrival, at).toNanos());
                long bin = gap / binNanos;
                if (bin < counts.length) {
                    counts[(int) bin]++;
                    inRange++;
                } else {
                    outOfRange++;
                    recentLong[longGapsSeen++ % RECENT_LONG_GAPS] = gap;
                }
                if (inRange + outOfRange >= settings.ageAt()) {
                    age();
                }
                stale = true;
            }
            if (lastArrival == null || at.isAfter(lastArrival)) {
                lastArrival = at;
            }
        }

        synchronized Snapshot snapshot() {
            if (stale) {
                windows = decide();
                stale = false;
            }
            return new Snapshot(windows, lastArrival);
        }

        private void age() {
            inRange = 0;
            for (int i = 0; i < counts.length; i++) {
                counts[i] /= 2;
                inRange += counts[i];
            }
            outOfRange /= 2;
        }

        private Windows decide() {
            long samples = inRange + outOfRange;
            if (outOfRange >= MIN_LONG_GAPS && outOfRange > settings.outOfRangeShare() * samples) {
                return fromLongGaps();
            }
            if (samples < settings.minSamples() || inRange == 0) {
                return new Windows(Mode.LEARNING, null, null);
            }
            if (binCountCv() < settings.minCv()) {
                return new Windows(Mode.NOT_REPRESENTATIVE, null, null);
            }
            int headBin = percentileBin(settings.head());
            int tailEdge = percentileBin(settings.tail()) + 1; // the upper edge of the bin holding it
            // a bin is the finest time the histogram knows: it cannot price a cold start worth less
            boolean capped = settings.coldStartWorth().compareTo(settings.bin()) >= 0;
            int end = capped ? worthKeepingUntil(headBin, tailEdge) : tailEdge;
            if (end == headBin) {
                return new Windows(Mode.NOT_WORTH_KEEPING, Duration.ZERO, Duration.ZERO);
            }
            long prewarmNanos = floorToBin((long) (headBin * binNanos * (1 - settings.margin())));
            long keepNanos = ceilToBin((long) Math.ceil(end * binNanos * (1 + settings.margin())));
            return new Windows(end == tailEdge ? Mode.HISTOGRAM : Mode.TAIL_CAPPED,
                    Duration.ofNanos(prewarmNanos), Duration.ofNanos(keepNanos));
        }

        /**
         * The cost-aware cap: the end, between the head's bin and the tail's edge, of the window
         * that costs least when a cold start is worth {@link Settings#coldStartWorth} of idle
         * instance time. A window [head, end) costs the instance time it is loaded while the call
         * has not come yet, plus the worth of every call it misses; so a bin is worth keeping only
         * while the chance that the call comes in it, given that it has not come before, pays for
         * the bin. Gaps beyond the range count as calls that no window catches. Returns
         * {@code head} when no window pays for itself.
         */
        private int worthKeepingUntil(int head, int tailEdge) {
            double total = inRange + outOfRange;
            double worthInBins = (double) settings.coldStartWorth().toNanos() / binNanos;
            double waiting = outOfRange; // gaps at or beyond the current bin
            for (int i = head; i < counts.length; i++) {
                waiting += counts[i];
            }
            double cost = 0, best = 0;
            int end = head;
            for (int i = head; i < tailEdge; i++) {
                double after = waiting - counts[i];
                // loaded through bin i while the call has not come: gaps in the bin count half
                cost += (waiting + after) / 2 / total;
                cost -= worthInBins * counts[i] / total;
                waiting = after;
                if (cost < best) {
                    best = cost;
                    end = i + 1;
                }
            }
            return end;
        }

        /**
         * The paper predicts gaps beyond the range with ARIMA. Simpler: when the last few long
         * gaps agree (a cron job every six hours), the next one is expected within their spread
         * widened by one bin each side; otherwise nothing is predicted and the fixed keep-alive
         * applies, because a longer keep-alive cannot reach a gap beyond the range anyway.
         */
        private Windows fromLongGaps() {
            int n = Math.min(longGapsSeen, RECENT_LONG_GAPS);
            if (n < MIN_LONG_GAPS) {
                return new Windows(Mode.OUT_OF_RANGE, null, null);
            }
            double sum = 0, min = Double.MAX_VALUE, max = 0;
            for (int i = 0; i < n; i++) {
                sum += recentLong[i];
                min = Math.min(min, recentLong[i]);
                max = Math.max(max, recentLong[i]);
            }
            double mean = sum / n, squares = 0;
            for (int i = 0; i < n; i++) {
                squares += (recentLong[i] - mean) * (recentLong[i] - mean);
            }
            if (Math.sqrt(squares / n) / mean > MAX_LONG_GAP_CV) {
                return new Windows(Mode.OUT_OF_RANGE, null, null);
            }
            long spread = (long) (max - min);
            long margin = Math.max(binNanos, spread);
            long prewarm = floorToBin(Math.max(0, (long) min - margin));
            long keep = ceilToBin((long) max + margin);
            return new Windows(Mode.OUT_OF_RANGE_PREDICTED, Duration.ofNanos(prewarm), Duration.ofNanos(keep));
        }

        /**
         * The coefficient of variation of the bin counts, less what sampling alone adds: n gaps
         * drawn from an even spread still fill k bins unevenly (a count's variance is about the
         * mean count, so 20 gaps over 240 bins look as "concentrated" as CV 3.4). Without this,
         * any function with few gaps passes for predictable, however spread its gaps are.
         */
        private double binCountCv() {
            double mean = (double) inRange / counts.length;
            double squares = 0;
            for (long c : counts) {
                squares += (c - mean) * (c - mean);
            }
            double variance = squares / counts.length - mean;
            return Math.sqrt(Math.max(0, variance)) / mean;
        }

        /** The bin holding the {@code p} quantile of the in-range gaps. */
        private int percentileBin(double p) {
            double wanted = p * inRange;
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= wanted && seen > 0) {
                    return i;
                }
            }
            return counts.length - 1;
        }

        private long floorToBin(long nanos) {
            return nanos / binNanos * binNanos;
        }

        private long ceilToBin(long nanos) {
            return (nanos + binNanos - 1) / binNanos * binNanos;
        }
    }
}
