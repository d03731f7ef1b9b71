package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.Map;

/**
 * Answers an HTTP proxy event (payload format 1.0 or 2.0) with the whole event as its JSON body,
 * and prints the event's {@code time} (set for scheduled events), so tests see what the function saw.
 */
public class EventEcho implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        if (event.get("time") != null) {
            System.out.println("tick " + event.get("time"));
        }
        return Map.of("statusCode", 200, "headers", Map.of("content-type", "application/json"), "body", event);
    }
}
