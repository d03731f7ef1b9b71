package dev.cumulus.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RequestTimesTest {

    @Test
    void writesApiGatewaysRequestTimeForEachSecond() {
        assertThat(RequestTimes.format(Instant.parse("2026-12-06T02:40:00.100Z"))).isEqualTo("06/Dec/2026:02:40:00 +0000");
        assertThat(RequestTimes.format(Instant.parse("2026-12-06T02:40:00.900Z"))).isEqualTo("06/Dec/2026:02:40:00 +0000");
        assertThat(RequestTimes.format(Instant.parse("2026-12-06T02:40:01.000Z"))).isEqualTo("06/Dec/2026:02:40:01 +0000");
        assertThat(RequestTimes.format(Instant.parse("2026-12-06T02:39:59.999Z"))).isEqualTo("06/Dec/2026:02:39:59 +0000");
    }
}
