package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.Map;

/**
 * Sleeps {@code ms} milliseconds: a slow function for load, queueing and timeout tests. {@code ms}
 * comes from the event, or through a function URL from the query ({@code ?ms=}), so that each call
 * of a burst holds its instance (bench/scale-out). {@code SLEEP_INIT_MS} in its environment makes
 * its init that slow too: an instance that stays starting for as long as a test needs.
 */
public class Sleep implements RequestHandler<Map<String, Object>, String> {
    public Sleep() {
        String init = System.getenv("SLEEP_INIT_MS");
        if (init != null) {
            pause(Long.parseLong(init));
        }
    }

    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        Object ms = input.getOrDefault("ms", 0);
        if (input.get("queryStringParameters") instanceof Map<?, ?> query && query.get("ms") != null) {
            ms = query.get("ms");
        }
        long millis = ms instanceof Number n ? n.longValue() : Long.parseLong(ms.toString());
        pause(millis);
        return "slept " + millis;
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
