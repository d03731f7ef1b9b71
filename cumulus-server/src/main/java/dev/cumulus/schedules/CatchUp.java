package dev.cumulus.schedules;

import dev.cumulus.errors.ApiException;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/** What happens to ticks that were due while no dispatcher ran (the node was down). */
sealed interface CatchUp {
    Duration MAX_WINDOW = Duration.ofDays(7);

    /** The latest missed tick fires once if it is at most {@code window} old; the others are skipped. */
    record FireOnceWithin(Duration window) implements CatchUp {}

    /** Missed ticks are skipped (and recorded as such). */
    record Skip() implements CatchUp {}

    CatchUp DEFAULT = new FireOnceWithin(Duration.ofHours(1));

    /** {@code skip} or {@code fire-once-within <ISO-8601 duration>}. */
    static CatchUp parse(String text) {
        String t = text.trim();
        if (t.equals("skip")) {
            return new Skip();
        }
        if (t.startsWith("fire-once-within ")) {
            String window = t.substring("fire-once-within ".length()).trim();
            try {
                Duration d = Duration.parse(window);
                if (!d.isNegative() && !d.isZero() && d.compareTo(MAX_WINDOW) <= 0) {
                    return new FireOnceWithin(d);
                }
            } catch (DateTimeParseException ignored) {
                // reported below
            }
            throw ApiException.badRequest("InvalidCatchUp", "the catch-up window must be an ISO-8601 duration above 0 and "
                    + "at most P7D, such as PT1H; got '" + window + "'");
        }
        throw ApiException.badRequest("InvalidCatchUp", "'catchUp' is \"skip\" or \"fire-once-within PT1H\" (any ISO-8601 duration); got '" + text + "'");
    }

    static String format(CatchUp catchUp) {
        return switch (catchUp) {
            case FireOnceWithin f -> "fire-once-within " + f.window();
            case Skip s -> "skip";
        };
    }
}
