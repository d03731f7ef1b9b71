package dev.cumulus.schedules;

import java.time.Instant;
import java.time.ZoneId;

/**
 * A schedule as stored.
 *
 * @param expression {@code cron(...)} or {@code rate(...)}, canonical
 * @param payload    the JSON object put into the event's {@code detail}; null for {@code {}}
 * @param anchor     where rate schedules count their periods from
 * @param nextDue    the next tick to fire (kept while disabled; enabling starts again from now)
 * @param lastFired  the latest tick handed over for invocation; null before the first
 */
record Schedule(String id, String project, String name, String function, String expression, ZoneId timeZone,
        String payload, CatchUp catchUp, boolean enabled, Instant anchor, Instant nextDue, long firedTicks,
        long skippedTicks, Instant lastFired, Instant createdAt, Instant updatedAt) {

    Schedule withNextDue(Instant next) {
        return new Schedule(id, project, name, function, expression, timeZone, payload, catchUp, enabled, anchor, next,
                firedTicks, skippedTicks, lastFired, createdAt, updatedAt);
    }

    Trigger trigger() {
        return Trigger.parse(expression, timeZone, anchor);
    }
}
