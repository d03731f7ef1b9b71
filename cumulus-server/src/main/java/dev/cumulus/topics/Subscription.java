package dev.cumulus.topics;

import dev.cumulus.invoke.AsyncInvoker.PayloadFormat;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A function invoked asynchronously for every event of a topic that passes its filter.
 *
 * @param function {@code name} or {@code name:qualifier}
 */
record Subscription(String id, String project, String topic, String function, Filter filter, PayloadFormat format,
        Instant createdAt) {

    Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("topic", topic);
        m.put("function", function);
        Map<String, Object> f = new LinkedHashMap<>();
        if (filter.type() != null) f.put("type", filter.type());
        if (filter.source() != null) f.put("source", filter.source());
        if (filter.subjectPrefix() != null) f.put("subjectPrefix", filter.subjectPrefix());
        m.put("filter", f);
        m.put("payloadFormat", format.name().toLowerCase(Locale.ROOT));
        m.put("createdAt", createdAt.toEpochMilli());
        return m;
    }
}
