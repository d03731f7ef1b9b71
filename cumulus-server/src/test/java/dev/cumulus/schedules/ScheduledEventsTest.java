package dev.cumulus.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tick event is the one Lambda handlers for EventBridge schedules deserialise. */
class ScheduledEventsTest {

    private static Schedule schedule(String payload) {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        return new Schedule("s-1", "default", "nightly", "backup", "cron(0 2 * * *)", ZoneId.of("UTC"), payload,
                CatchUp.DEFAULT, true, t0, t0, 0, 0, null, t0, t0);
    }

    private static ScheduledEvent read(byte[] json) {
        return LambdaEventSerializers.serializerFor(ScheduledEvent.class, ScheduledEventsTest.class.getClassLoader())
                .fromJson(new ByteArrayInputStream(json));
    }

    @Test
    void deserialisesIntoTheLambdaScheduledEvent() {
        Instant tick = Instant.parse("2026-11-27T02:00:00Z");
        ScheduledEvent event = read(ScheduledEvents.event(schedule("{\"bucket\":\"b\",\"n\":3}"), tick));

        assertThat(event.getDetailType()).isEqualTo("Scheduled Event");
        assertThat(event.getSource()).isEqualTo("cumulus.schedules");
        assertThat(event.getAccount()).isEqualTo("default");
        assertThat(event.getRegion()).isEqualTo("local");
        assertThat(event.getTime().getMillis()).isEqualTo(tick.toEpochMilli());
        assertThat(event.getResources()).containsExactly("cumulus:schedules:local:default:schedule/nightly");
        assertThat(event.getDetail()).isEqualTo(Map.of("bucket", "b", "n", 3));
        assertThat(event.getId()).isNotBlank();
    }

    @Test
    void emptyDetailAndStableIdsPerTick() {
        Instant tick = Instant.parse("2026-11-27T02:00:00Z");
        ScheduledEvent a = read(ScheduledEvents.event(schedule(null), tick));
        ScheduledEvent again = read(ScheduledEvents.event(schedule(null), tick));
        ScheduledEvent next = read(ScheduledEvents.event(schedule(null), tick.plusSeconds(86400)));
        assertThat(a.getDetail()).isEmpty();
        assertThat(again.getId()).isEqualTo(a.getId());
        assertThat(next.getId()).isNotEqualTo(a.getId());
    }
}
