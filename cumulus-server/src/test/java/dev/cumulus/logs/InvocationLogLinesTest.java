package dev.cumulus.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class InvocationLogLinesTest {
    @Test
    void reportIsLambdasLineWithInitDurationOnlyOnAColdStart() {
        assertThat(InvocationLogLines.report("r1", 2894, 3, 256, 0))
                .isEqualTo("REPORT RequestId: r1\tDuration: 2.89 ms\tBilled Duration: 3 ms\tMemory Size: 256 MB");
        assertThat(InvocationLogLines.report("r1", 2895, 3, 256, 136_720))
                .isEqualTo("REPORT RequestId: r1\tDuration: 2.90 ms\tBilled Duration: 3 ms\tMemory Size: 256 MB"
                        + "\tInit Duration: 136.72 ms");
    }

    @Test
    void millisecondsHaveTwoDecimalsRoundedHalfUpAsPercentPointTwoF() {
        assertThat(InvocationLogLines.millis(0)).isEqualTo("0.00");
        assertThat(InvocationLogLines.millis(4)).isEqualTo("0.00");
        assertThat(InvocationLogLines.millis(5)).isEqualTo("0.01");
        assertThat(InvocationLogLines.millis(99)).isEqualTo("0.10");
        assertThat(InvocationLogLines.millis(995)).isEqualTo("1.00");
        assertThat(InvocationLogLines.millis(1_000_000)).isEqualTo("1000.00");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 10_000; i++) {
            long micros = random.nextLong(0, 3_600_000_000L);
            if (micros % 10 == 5) {
                continue; // a tie: %.2f of the nearest double may round either way
            }
            assertThat(InvocationLogLines.millis(micros)).as("%d µs", micros)
                    .isEqualTo(String.format(Locale.ROOT, "%.2f", micros / 1000.0));
        }
    }
}
