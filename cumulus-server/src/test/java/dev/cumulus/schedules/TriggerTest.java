package dev.cumulus.schedules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.errors.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TriggerTest {
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static List<ZonedDateTime> fires(Trigger trigger, ZonedDateTime from, int count) {
        List<ZonedDateTime> out = new ArrayList<>();
        Instant t = from.toInstant();
        for (int i = 0; i < count; i++) {
            t = trigger.nextAfter(t);
            out.add(t.atZone(from.getZone()));
        }
        return out;
    }

    private static ZonedDateTime berlin(String local) {
        return java.time.LocalDateTime.parse(local).atZone(BERLIN);
    }

    @Test
    void dailyCronSkipsTheNonexistentTimeWhenClocksSpringForward() {
        // 2026-03-29 02:00 CET jumps to 03:00 CEST: 02:30 does not exist that day
        Trigger t = Trigger.CronTrigger.parse("0 30 2 * * *", BERLIN);
        List<ZonedDateTime> fires = fires(t, berlin("2026-03-27T12:00"), 3);
        assertThat(fires).extracting(ZonedDateTime::toOffsetDateTime).extracting(Object::toString).containsExactly(
                "2026-03-28T02:30+01:00", "2026-03-30T02:30+02:00", "2026-03-31T02:30+02:00");
    }

    @Test
    void dailyCronFiresOnceWhenClocksFallBack() {
        // 2026-10-25 03:00 CEST goes back to 02:00 CET: 02:30 happens twice, the schedule fires at the first
        Trigger t = Trigger.CronTrigger.parse("0 30 2 * * *", BERLIN);
        List<ZonedDateTime> fires = fires(t, berlin("2026-10-23T12:00"), 3);
        assertThat(fires).extracting(ZonedDateTime::toOffsetDateTime).extracting(Object::toString).containsExactly(
                "2026-10-24T02:30+02:00", "2026-10-25T02:30+02:00", "2026-10-26T02:30+01:00");
    }

    @Test
    void fiveFieldCronRunsInItsTimeZone() {
        Trigger t = Trigger.CronTrigger.parse("0 2 * * *", BERLIN);
        Instant next = t.nextAfter(Instant.parse("2026-07-01T00:00:00Z"));
        // 02:00 in Berlin summer time is 00:00 UTC, already passed at exactly 00:00: the next day
        assertThat(next).isEqualTo(Instant.parse("2026-07-02T00:00:00Z"));
        assertThat(t.nextAfter(Instant.parse("2026-01-01T00:00:00Z"))).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
    }

    @Test
    void everySecondCron() {
        Trigger t = Trigger.CronTrigger.parse("* * * * * *", ZoneId.of("UTC"));
        assertThat(t.nextAfter(Instant.parse("2026-01-01T00:00:00.400Z"))).isEqualTo(Instant.parse("2026-01-01T00:00:01Z"));
        assertThat(t.nextAfter(Instant.parse("2026-01-01T00:00:01Z"))).isEqualTo(Instant.parse("2026-01-01T00:00:02Z"));
    }

    @Test
    void hourlyRateKeepsElapsedHoursAcrossDstChanges() {
        Instant anchor = berlin("2026-03-29T00:30").toInstant();
        Trigger t = Trigger.RateTrigger.parse("rate(1 hour)", anchor);
        List<ZonedDateTime> fires = fires(t, anchor.atZone(BERLIN), 3);
        // wall clock skips 02:30 because 02:00-03:00 does not exist; every gap is still one hour
        assertThat(fires).extracting(ZonedDateTime::toOffsetDateTime).extracting(Object::toString).containsExactly(
                "2026-03-29T01:30+01:00", "2026-03-29T03:30+02:00", "2026-03-29T04:30+02:00");
        Instant fallAnchor = berlin("2026-10-25T01:30").toInstant();
        List<ZonedDateTime> fall = fires(Trigger.RateTrigger.parse("1 hours", fallAnchor), fallAnchor.atZone(BERLIN), 3);
        // 02:30 comes twice, an hour apart: both are ticks of an hourly rate
        assertThat(fall).extracting(ZonedDateTime::toOffsetDateTime).extracting(Object::toString).containsExactly(
                "2026-10-25T02:30+02:00", "2026-10-25T02:30+01:00", "2026-10-25T03:30+01:00");
        for (int i = 1; i < fall.size(); i++) {
            assertThat(Duration.between(fall.get(i - 1), fall.get(i))).isEqualTo(Duration.ofHours(1));
        }
    }

    @Test
    void rateCountsFromItsAnchor() {
        Instant anchor = Instant.parse("2026-01-01T00:00:00Z");
        Trigger t = Trigger.RateTrigger.parse("rate(5 minutes)", anchor);
        assertThat(t.nextAfter(anchor)).isEqualTo(Instant.parse("2026-01-01T00:05:00Z"));
        assertThat(t.nextAfter(Instant.parse("2026-01-01T00:07:00Z"))).isEqualTo(Instant.parse("2026-01-01T00:10:00Z"));
        assertThat(t.nextAfter(Instant.parse("2026-01-01T00:10:00Z"))).isEqualTo(Instant.parse("2026-01-01T00:15:00Z"));
        assertThat(t.expression()).isEqualTo("rate(5 minutes)");
        assertThat(Trigger.RateTrigger.parse("2 days", anchor).nextAfter(anchor)).isEqualTo(Instant.parse("2026-01-03T00:00:00Z"));
    }

    @Test
    void aRateOfOneIsSingularAsEventBridgeWritesIt() {
        Instant anchor = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(Trigger.RateTrigger.parse("1 minutes", anchor).expression()).isEqualTo("rate(1 minute)");
        assertThat(Trigger.RateTrigger.parse("rate(1 hour)", anchor).expression()).isEqualTo("rate(1 hour)");
        assertThat(Trigger.RateTrigger.parse("1 days", anchor).expression()).isEqualTo("rate(1 day)");
        assertThat(Trigger.RateTrigger.parse("2 day", anchor).expression()).isEqualTo("rate(2 days)");
        // a stored "rate(1 minutes)" reads back canonical
        assertThat(Trigger.parse("rate(1 minutes)", ZoneId.of("UTC"), anchor).expression()).isEqualTo("rate(1 minute)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rate(0 minutes)", "0 minutes", "rate(-1 hours)", "rate(5 weeks)", "rate(minutes)", "5"})
    void refusesBadRates(String rate) {
        assertThatThrownBy(() -> Trigger.RateTrigger.parse(rate, Instant.EPOCH))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("InvalidRate"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "* * * *", "61 * * * *", "* 25 * * *", "* * * * * * * *", "a b c d e", "0 0 30 2 *"})
    void refusesBadCron(String cron) {
        assertThatThrownBy(() -> {
                    Trigger t = Trigger.CronTrigger.parse(cron, ZoneId.of("UTC"));
                    if (t.nextAfter(Instant.EPOCH) == null) throw ApiException.badRequest("InvalidCron", "never fires");
                })
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("InvalidCron"));
    }

    @Test
    void catchUpParses() {
        assertThat(CatchUp.parse("skip")).isEqualTo(new CatchUp.Skip());
        assertThat(CatchUp.parse("fire-once-within PT1H")).isEqualTo(new CatchUp.FireOnceWithin(Duration.ofHours(1)));
        assertThat(CatchUp.format(CatchUp.parse("fire-once-within PT30M"))).isEqualTo("fire-once-within PT30M");
        for (String bad : List.of("later", "fire-once-within 1h", "fire-once-within PT0S", "fire-once-within P30D")) {
            assertThatThrownBy(() -> CatchUp.parse(bad)).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.code()).isEqualTo("InvalidCatchUp"));
        }
    }
}
