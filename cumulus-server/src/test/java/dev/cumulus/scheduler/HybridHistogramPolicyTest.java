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
        // bursts of 20 calls 5 s apart, one burst every 3 hours: mostly tiny gaps, a few long ones
        Duration[] gaps = new Duration[8 * 20];
        for (int i = 0; i < gaps.length; i++) {
            gaps[i] = i % 20 == 0 ? Duration.ofHours(3) : Duration.ofSeconds(5);
        }
        Instant last = arrivals(gaps);

        HybridHistogramPolicy.Windows w = policy.windows("f");
        assertThat(w.mode()).isEqualTo(Mode.HISTOGRAM);
        assertThat(w.prewarm()).as("the next call may come right away").isZero();
        KeepAlivePolicy.Plan plan = policy.idle(config(null), last.plusSeconds(1));
        assertThat(plan.prewarms()).isFalse();
        assertThat(plan.keepUntil()).isEqualTo(last.plus(w.keepAlive()));
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
                new HybridHistogramPolicy.Settings(Duration.ofMinutes(1), 240, 10, 2.0, 0.05, 0.99, 0.10, 0.5, 64));
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

    private static Duration[] gaps(int n, Duration gap) {
        Duration[] gaps = new Duration[n];
        java.util.Arrays.fill(gaps, gap);
        return gaps;
    }

    private static FunctionConfig config(Integer keepAlive) {
        return new FunctionConfig("f", "java25", "a.B", 256, 30, Map.of(), 10, 1, keepAlive, false);
    }
}
