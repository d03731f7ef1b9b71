package dev.cumulus.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConcurrencyWindowTest {
    private static final long SECOND = 1_000_000_000L;
    private final ConcurrencyWindow window = new ConcurrencyWindow(60 * SECOND); // slots of 10 s

    @Test
    void nothingRecordedIsZero() {
        assertThat(window.peak(0)).isZero();
        assertThat(window.peak(Long.MIN_VALUE / 2)).isZero();
    }

    @Test
    void thePeakIsTheLargestSeenWithinTheWindow() {
        window.record(0, 3);
        window.record(5 * SECOND, 7);
        window.record(25 * SECOND, 2);
        assertThat(window.peak(30 * SECOND)).isEqualTo(7);
    }

    @Test
    void aBurstLeavesTheWindowAfterItsLength() {
        window.record(0, 200);
        assertThat(window.peak(59 * SECOND)).isEqualTo(200);
        assertThat(window.peak(61 * SECOND)).as("past the window, nothing since").isZero();
        window.record(65 * SECOND, 1);
        assertThat(window.peak(65 * SECOND)).as("the burst's slot is a full window old").isEqualTo(1);
        assertThat(window.peak(200 * SECOND)).as("nothing in the last minute").isZero();
    }

    @Test
    void aReusedSlotForgetsItsOldPeak() {
        window.record(1 * SECOND, 50);
        window.record(61 * SECOND, 4); // the same slot, one window later
        assertThat(window.peak(61 * SECOND)).isEqualTo(4);
    }

    @Test
    void negativeClockValuesWork() {
        long start = -500 * SECOND; // System.nanoTime may be negative
        window.record(start, 9);
        assertThat(window.peak(start + 30 * SECOND)).isEqualTo(9);
        assertThat(window.peak(start + 70 * SECOND)).isZero();
    }
}
