package dev.cumulus.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BodyDeadlineTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theFirstByteIsDueAfterTheGraceAndEachFurtherOneAtTheMinimumRate() {
        BodyDeadline deadline = new BodyDeadline(Duration.ofSeconds(10), 1_000);
        assertThat(deadline.nextByteDueNanos(0)).isEqualTo(10 * SECOND + SECOND / 1_000);
        assertThat(deadline.nextByteDueNanos(999)).isEqualTo(11 * SECOND);
        assertThat(deadline.nextByteDueNanos(60_000 - 1)).as("a minute's worth at the rate").isEqualTo(70 * SECOND);
    }

    @Test
    void aTricklerFallsBehindOnceTheGraceIsUsedUp() {
        BodyDeadline deadline = BodyDeadline.DEFAULT;
        // one byte a second: by second 11 it has 11 bytes, and its 12th was due long before
        assertThat(deadline.nextByteDueNanos(11)).isLessThan(11 * SECOND);
        // an honest 6 MB body at the minimum rate gets all the time it needs
        long sixMb = 6L * 1024 * 1024;
        assertThat(deadline.nextByteDueNanos(sixMb - 1)).isEqualTo(10 * SECOND + sixMb * SECOND / (32 * 1024));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new BodyDeadline(Duration.ofSeconds(-1), 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BodyDeadline(Duration.ZERO, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
