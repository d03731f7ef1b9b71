package dev.cumulus.testfn;

import dev.cumulus.function.CloudEvent;
import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.HashMap;
import java.util.Map;

/**
 * Answers what it got: {@code {"cloudEvent": the attributes its Context shows, or null, "input":
 * its input}}.
 */
public class CloudEventEcho implements RequestHandler<Object, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Object input, Context context) {
        Map<String, Object> seen = new HashMap<>();
        seen.put("cloudEvent", context.cloudEvent().map(CloudEventEcho::attributes).orElse(null));
        seen.put("input", input);
        return seen;
    }

    private static Map<String, Object> attributes(CloudEvent e) {
        Map<String, Object> a = new HashMap<>();
        a.put("id", e.id());
        a.put("source", e.source());
        a.put("specversion", e.specVersion());
        a.put("type", e.type());
        a.put("subject", e.subject());
        a.put("time", e.time() == null ? null : e.time().toString());
        a.put("datacontenttype", e.dataContentType());
        return a;
    }
}
