package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.Map;

/** Sleeps {@code ms} milliseconds: a slow function for load, queueing and timeout tests. */
public class Sleep implements RequestHandler<Map<String, Object>, String> {
    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        long ms = ((Number) input.getOrDefault("ms", 0)).longValue();
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "slept " + ms;
    }
}
