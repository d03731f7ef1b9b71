package dev.cumulus.schedules;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.cumulus.errors.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** When a schedule's ticks fall. */
sealed interface Trigger {

    /** The first tick strictly after {@code time}; null when there is none. */
    Instant nextAfter(Instant time);

    /** The canonical expression: {@code cron(...)} or {@code rate(N unit)}. */
    String expression();

    /**
     * A cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds
     * first), evaluated in {@code zone}. Across DST changes it behaves like EventBridge Scheduler:
     * a local time that does not exist (spring forward) is skipped, and one that exists twice
     * (fall back) fires once, at its first occurrence.
     */
    record CronTrigger(String fields, ZoneId zone, ExecutionTime execution) implements Trigger {
        private static final CronParser FIVE = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
        private static final CronParser SIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));
        /** a cron that matches nothing for this long is treated as never firing again */
        private static final int MAX_STEPS = 10_000;

        static CronTrigger parse(String fields, ZoneId zone) {
            String trimmed = fields.trim().replaceAll("\\s+", " ");
            int count = trimmed.isEmpty() ? 0 : trimmed.split(" ").length;
            if (count != 5 && count != 6) {
                throw ApiException.badRequest("InvalidCron", "a cron expression has 5 fields (minute hour day-of-month "
                        + "month day-of-week) or 6 (seconds first); '" + fields + "' has " + count);
            }
            try {
                Cron cron = (count == 5 ? FIVE : SIX).parse(trimmed).validate();
                return new CronTrigger(trimmed, zone, ExecutionTime.forCron(cron));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("InvalidCron", "invalid cron expression '" + fields + "': " + e.getMessage());
            }
        }

        @Override
        public Instant nextAfter(Instant time) {
            // cron fields are whole seconds; the library keeps a fraction it is given
            ZonedDateTime from = time.truncatedTo(ChronoUnit.SECONDS).atZone(zone);
            for (int i = 0; i < MAX_STEPS; i++) {
                Optional<ZonedDateTime> next = execution.nextExecution(from);
                if (next.isEmpty()) {
                    return null;
                }
                ZonedDateTime candidate = next.get();
                if (!candidate.toInstant().isAfter(time)) {
                    // never step backwards, whatever the library does around an overlap
                    from = candidate.plusSeconds(1);
                    continue;
                }
                if (existsAsCronTime(candidate) && !repeatsEarlierWallTime(candidate)) {
                    return candidate.toInstant();
                }
                from = candidate;
            }
            return null;
        }

        /** False for a time the library moved out of a spring-forward gap: its fields no longer match. */
        private boolean existsAsCronTime(ZonedDateTime candidate) {
            return execution.isMatch(candidate);
        }

        /** True for the second occurrence of a wall-clock time that fall-back repeats. */
        private boolean repeatsEarlierWallTime(ZonedDateTime candidate) {
            ZonedDateTime earlier = candidate.withEarlierOffsetAtOverlap();
            return !earlier.toInstant().equals(candidate.toInstant());
        }

        @Override
        public String expression() {
            return "cron(" + fields + ")";
        }
    }

    /** Every {@code period}, counted from {@code anchor} (the schedule's creation); days are 24 hours. */
    record RateTrigger(long amount, ChronoUnit unit, Instant anchor) implements Trigger {
        private static final Pattern RATE = Pattern.compile("(?:rate\\()?\\s*(-?\\d+)\\s+([a-zA-Z]+)\\s*\\)?");
        static final long MAX_AMOUNT = 1_000_000;

        static RateTrigger parse(String text, Instant anchor) {
            Matcher m = RATE.matcher(text.trim());
            if (!m.matches()) {
                throw ApiException.badRequest("InvalidRate", "a rate is 'N minute(s)|hour(s)|day(s)', e.g. 'rate(5 minutes)'; got '" + text + "'");
            }
            long amount;
            try {
                amount = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                amount = -1;
            }
            if (amount < 1 || amount > MAX_AMOUNT) {
                throw ApiException.badRequest("InvalidRate", "the rate's value must be a whole number from 1 to " + MAX_AMOUNT + "; got " + m.group(1));
            }
            ChronoUnit unit = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
                case "minute", "minutes" -> ChronoUnit.MINUTES;
                case "hour", "hours" -> ChronoUnit.HOURS;
                case "day", "days" -> ChronoUnit.DAYS;
                default -> throw ApiException.badRequest("InvalidRate", "the rate's unit must be minute(s), hour(s) or day(s); got '" + m.group(2) + "'");
            };
            return new RateTrigger(amount, unit, anchor);
        }

        Duration period() {
            return unit.getDuration().multipliedBy(amount);
        }

        @Override
        public Instant nextAfter(Instant time) {
            long periodMs = period().toMillis();
            long since = time.toEpochMilli() - anchor.toEpochMilli();
            long periods = since < 0 ? 1 : since / periodMs + 1;
            return anchor.plusMillis(periods * periodMs);
        }

        @Override
        public String expression() {
            // EventBridge's form: singular for 1 ("rate(1 minute)"), plural otherwise
            String plural = unit.name().toLowerCase(java.util.Locale.ROOT);
            return "rate(" + amount + " " + (amount == 1 ? plural.substring(0, plural.length() - 1) : plural) + ")";
        }
    }

    /** Parses a stored or requested expression: {@code cron(...)} or {@code rate(...)}. */
    static Trigger parse(String expression, ZoneId zone, Instant anchor) {
        String e = expression.trim();
        if (e.startsWith("cron(") && e.endsWith(")")) {
            return CronTrigger.parse(e.substring(5, e.length() - 1), zone);
        }
        if (e.startsWith("rate(")) {
            return RateTrigger.parse(e, anchor);
        }
        throw ApiException.badRequest("InvalidExpression", "a schedule expression is cron(...) or rate(...); got '" + expression + "'");
    }
}
