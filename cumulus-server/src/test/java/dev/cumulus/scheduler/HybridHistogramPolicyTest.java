package dev.cumulus.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.scheduler.HybridHistogramPolicy.Mode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The policy against synthetic arrival patterns, on a simulated clock. */
class HybridHistogramPolicyTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static final Duration DEFAULT = Duration.ofMinutes(10);

    private final HybridHistogramPolicy policy = new HybridHistogramPolicy(DEFAULT);

    @Test
    void periodicEveryThirtyMinutesUnloadsAtOnceAndPrewarmsBeforeTheNextCall() {
        Instant last = arrivals(gaps(40, Duration.ofMinutes(30)));

        HybridHistogramPolicy.Windows w = policy.windows("f");
        assertThat(w.mode()).isEqualTo(Mode.HISTOGRAM);
        // 5th percentile is the 30-minute bin, lowered by 10 %; the 99th ends at 31 min, plus 10 %
        assertThat(w.prewarm()).isEqualTo(Duration.ofMinutes(27));
        assertThat(w.keepAlive()).isEqualTo(Duration.ofMinutes(35));

        Instant idle = last.plusMillis(200);
        KeepAlivePolicy.Plan plan = policy.idle(config(null), idle);
        assertThat(plan.keepUntil()).as("stopped at once").isEqualTo(idle);
        assertThat(plan.prewarmAt()).isEqualTo(last.plus(Duration.ofMinutes(27)));
        assertThat(plan.prewarmUntil()).isEqualTo(last.plus(Duration.ofMinutes(35)));
    }

    @Test
    void burstyTrafficKeepsTheInstanceThroughTheBurstGapsOnly() {
        Instant last = arrivals(burstsEveryThreeHours());

        HybridHistogramPolicy.Windows w = policy.windows("f");
        assertThat(w.prewarm()).as("the next call may come right away").isZero();
        // the 99th percentile is the 3-hour bin, but the 5 % of gaps that long do not pay for three
        // idle hours each: the window ends after the burst-gap bin, plus 10 % (rounded up to a bin)
        assertThat(w.mode()).isEqualTo(Mode.TAIL_CAPPED);
        assertThat(w.keepAlive()).isEqualTo(Duration.ofMinutes(2));
        KeepAlivePolicy.Plan plan = policy.idle(config(null), last.plusSeconds(1));
        assertThat(plan.prewarms()).isFalse();
        assertThat(plan.keepUntil()).isEqualTo(last.plus(Duration.ofMinutes(2)));
    }

    @Test
    void aNodeKeepAliveShorterThanABinCapsTheLearntWindow() {
        // the histogram alone would keep the instance to the 3-hour bin's edge plus 10 %; a node
        // whose fixed keep-alive is under one bin asked for instances to leave sooner than the
        // histogram can resolve (issue 12: a 3 s keep-alive kept a burst's instances for minutes)
        HybridHistogramPolicy shortDefault = new HybridHistogramPolicy(Duration.ofSeconds(2));
        Instant t = T0;
        shortDefault.arrived("f", t);
        for (Duration gap : burstsEveryThreeHours()) {
            shortDefault.arrived("f", t = t.plus(gap));
        }

        HybridHistogramPolicy.Windows w = shortDefault.windows("f");
        assertThat(w.mode()).isEqualTo(Mode.HISTOGRAM);
        assertThat(w.keepAlive()).isEqualTo(Duration.ofMinutes(200)); // 181 min * 1.1, rounded up
        Instant idle = t.plusSeconds(1);
        assertThat(shortDefault.idle(config(null), idle)).isEqualTo(KeepAlivePolicy.Plan.keepUntil(idle.plusSeconds(2)));
    }

    @Test
    void aWindowThatDoesNotPayForItsIdleTimeStopsTheInstanceAtOnce() {
        // gaps evenly over the first 25 minutes: concentrated enough to predict, but keeping an
        // instance through them costs 12.5 idle minutes per call on average, more than the cold
        // start it saves is worth at the node default (10 minutes)
        Instant last = arrivals(evenOverMinutes(25, 5));

        HybridHistogramPolicy.Windows w = policy.windows("f");
        assertThat(w.mode()).isEqualTo(Mode.NOT_WORTH_KEEPING);
        Instant idle = last.plusMillis(300);
        assertThat(policy.idle(config(null), idle)).isEqualTo(KeepAlivePolicy.Plan.keepUntil(idle));
    }

    @Test
    void aDearerColdStartKeepsTheSameWindowToItsTail() {
        // the same gaps on a node whose fixed keep-alive (the worth of a cold start) is an hour
        HybridHistogramPolicy patient = new HybridHistogramPolicy(Duration.ofHours(1));
        Instant t = T0;
        patient.arrived("f", t);
        for (Duration gap : evenOverMinutes(25, 5)) {
            patient.arrived("f", t = t.plus(gap));
        }

        HybridHistogramPolicy.Windows w = patient.windows("f");
        assertThat(w.mode()).isEqualTo(Mode.HISTOGRAM);
        assertThat(w.keepAlive()).isEqualTo(Duration.ofMinutes(28)); // 25 min * 1.1, rounded up
    }

    @Test
    void gapsBeyondTheRangeCountAsCallsNoWindowCatches() {
        // gaps evenly over the first 10 minutes pay for a window to their end...
        Instant last = arrivals(evenOverMinutes(10, 5));
        assertThat(policy.windows("f").mode()).isEqualTo(Mode.HISTOGRAM);
        assertThat(policy.windows("f").keepAlive()).isEqualTo(Duration.ofMinutes(11));
        // ...but not once 40 of 90 gaps are five hours (a share still under half, so the
        // histogram is used): each of those would keep the instance through the whole window
        Instant t = last;
        for (int i = 0; i < 40; i++) {
            policy.arrived("f", t = t.plus(Duration.ofHours(5)));
        }
        assertThat(policy.windows("f").mode()).isEqualTo(Mode.NOT_WORTH_KEEPING);
        assertThat(policy.idle(config(null), t.plusSeconds(1)).keepUntil()).isEqualTo(t.plusSeconds(1));
    }

    @Test
    void poissonTrafficKeepsUntilTheTailOfItsGaps() {
        Random random = new Random(42);
        Duration[] gaps = new Duration[500];
        for (int i = 0; i < gaps.length; i++) {
            gaps[i] = Duration.ofMillis((long) (-Math.log(1 - random.nextDouble()) * 60_000)); // mean 1 min
        }
        Instant last = arrivals(gaps);

        HybridHistogramPolicy.Windows w = policy.windows("f");
        assertThat(w.mode()).isEqualTo(Mode.HISTOGRAM);
        assertThat(w.prewarm()).isZero();
        // the 99th percentile of an exponential with mean 1 min is 4.6 min: bin 4, edge 5, +10 % -> 6
        assertThat(w.keepAlive()).isBetween(Duration.ofMinutes(5), Duration.ofMinutes(7));
        assertThat(policy.idle(config(null), last).keepUntil()).isEqualTo(last.plus(w.keepAlive()));
    }

    @Test
    void tooLittleHistoryFallsBackToTheFixedKeepAlive() {
        arrivals(gaps(5, Duration.ofMinutes(30)));
        assertThat(policy.windows("f").mode()).isEqualTo(Mode.LEARNING);
        Instant idle = T0.plus(Duration.ofHours(5));
        assertThat(policy.idle(config(null), idle)).isEqualTo(KeepAlivePolicy.Plan.keepUntil(idle.plus(DEFAULT)));
        assertThat(policy.idle(new FunctionConfig("never-called", "java25", "a.B", 256, 30, Map.of(), 10, 1, null, false), idle).keepUntil()).isEqualTo(idle.plus(DEFAULT));
    }

    @Test
    void evenlySpreadGapsAreNotRepresentative() {
        // one gap in every minute bin: a flat histogram predicts nothing
        Duration[] gaps = new Duration[240];
        for (int i = 0; i < gaps.length; i++) {
            gaps[i] = Duration.ofSeconds(i * 60L + 30);
        }
        Instant last = arrivals(gaps);
        assertThat(policy.windows("f").mode()).isEqualTo(Mode.NOT_REPRESENTATIVE);
        assertThat(policy.idle(config(null), last).keepUntil()).isEqualTo(last.plus(DEFAULT));
    }

    @Test
    void fewGapsInDistinctBinsAreNotRepresentativeHoweverSparse() {
        // 20 gaps, one every 12 bins: a raw bin-count CV of 3.3 (above 2) that sampling alone
        // gives; less the sampling noise it is zero, and the function keeps the fixed keep-alive
        Duration[] gaps = new Duration[20];
        for (int i = 0; i < gaps.length; i++) {
            gaps[i] = Duration.ofSeconds(i * 12 * 60L + 30);
        }
        Instant last = arrivals(gaps);
        assertThat(policy.windows("f").mode()).isEqualTo(Mode.NOT_REPRESENTATIVE);
        assertThat(policy.idle(config(null), last).keepUntil()).isEqualTo(last.plus(DEFAULT));
    }

    @Test
    void tenGapsOfATimerAreAlreadyRepresentative() {
        // the sampling correction does not hide a real pattern found with the fewest gaps allowed
        Instant last = arrivals(gaps(10, Duration.ofMinutes(30)));
        assertThat(policy.windows("f").mode()).isEqualTo(Mode.HISTOGRAM);
        assertThat(policy.idle(config(null), last.plusSeconds(1)).prewarmAt()).isEqualTo(last.plus(Duration.ofMinutes(27)));
    }

    @Test
    void regularGapsBeyondTheRangeArePredictedFromTheRecentOnes() {
        Instant last = arrivals(gaps(5, Duration.ofHours(6)));
        HybridHistogramPolicy.Windows w = policy.windows("f");
        assertThat(w.mode()).isEqualTo(Mode.OUT_OF_RANGE_PREDICTED);
        KeepAlivePolicy.Plan plan = policy.idle(config(null), last.plusSeconds(1));
        assertThat(plan.prewarmAt()).isEqualTo(last.plus(Duration.ofHours(6)).minus(Duration.ofMinutes(1)));
        assertThat(plan.prewarmUntil()).isEqualTo(last.plus(Duration.ofHours(6)).plus(Duration.ofMinutes(1)));
    }

    @Test
    void irregularGapsBeyondTheRangeFallBackToTheFixedKeepAlive() {
        Instant last = arrivals(Duration.ofHours(5), Duration.ofHours(9), Duration.ofHours(6), Duration.ofHours(13));
        assertThat(policy.windows("f").mode()).isEqualTo(Mode.OUT_OF_RANGE);
        assertThat(policy.idle(config(null), last).keepUntil()).isEqualTo(last.plus(DEFAULT));
    }

    @Test
    void theFunctionsOwnKeepAliveWins() {
        Instant last = arrivals(gaps(40, Duration.ofMinutes(30)));
        assertThat(policy.idle(config(5), last)).isEqualTo(KeepAlivePolicy.Plan.keepUntil(last.plusSeconds(5)));
    }

    @Test
    void aLongInvocationThatEndsAfterThePrewarmPointKeepsItsInstance() {
        Instant last = arrivals(gaps(40, Duration.ofMinutes(30)));
        KeepAlivePolicy.Plan plan = policy.idle(config(null), last.plus(Duration.ofMinutes(28)));
        assertThat(plan.prewarms()).isFalse();
        assertThat(plan.keepUntil()).isEqualTo(last.plus(Duration.ofMinutes(35)));
    }

    @Test
    void aChangedPatternIsLearntAgainAndAForgottenFunctionStartsOver() {
        HybridHistogramPolicy small = new HybridHistogramPolicy(DEFAULT,
                new HybridHistogramPolicy.Settings(Duration.ofMinutes(1), 240, 10, 2.0, 0.05, 0.99, 0.10, 0.5, 64, DEFAULT));
        Instant t = T0;
        for (int i = 0; i < 200; i++) {
            small.arrived("f", t = t.plus(Duration.ofMinutes(30)));
        }
        for (int i = 0; i < 200; i++) {
            small.arrived("f", t = t.plus(Duration.ofMinutes(5)));
        }
        assertThat(small.windows("f").keepAlive()).isLessThan(Duration.ofMinutes(10));
        small.forget("f");
        assertThat(small.windows("f").mode()).isEqualTo(Mode.LEARNING);
    }

    private Instant arrivals(Duration... gaps) {
        Instant t = T0;
        policy.arrived("f", t);
        for (Duration gap : gaps) {
            t = t.plus(gap);
            policy.arrived("f", t);
        }
        return t;
    }

    /** Bursts of 20 calls 5 s apart, one burst every 3 hours: mostly tiny gaps, a few long ones. */
    private static Duration[] burstsEveryThreeHours() {
        Duration[] gaps = new Duration[8 * 20];
        for (int i = 0; i < gaps.length; i++) {
            gaps[i] = i % 20 == 0 ? Duration.ofHours(3) : Duration.ofSeconds(5);
        }
        return gaps;
    }

    /** {@code perMinute} gaps in each of the first {@code minutes} one-minute bins, interleaved. */
    private static Duration[] evenOverMinutes(int minutes, int perMinute) {
        Duration[] gaps = new Duration[minutes * perMinute];
        for (int i = 0; i < gaps.length; i++) {
            gaps[i] = Duration.ofSeconds(i % minutes * 60L + 30);
        }
        return gaps;
    }

    private static Duration[] gaps(int n, Duration gap) {
        Duration[] gaps = new Duration[n];
        java.util.Arrays.fill(gaps, gap);
        return gaps;
    }

    private static FunctionConfig config(Integer keepAlive) {
        return new FunctionConfig("f", "java25", "a.B", 256, 30, Map.of(), 10, 1, keepAlive, false);
    }
}
