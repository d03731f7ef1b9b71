package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.List;
import java.util.Map;

/**
 * Takes an SQS-shaped batch from an event source mapping and prints one log line per record,
 * {@code record <eventSource> <topic|subject|queue> <body>}, so tests read back what arrived and
 * in which order. Sleeps {@code RECORDS_SLEEP_MS} per batch (a slow consumer); a batch with a body
 * starting {@code fail} fails before printing anything.
 */
public class Records implements RequestHandler<Map<String, Object>, String> {
    @Override
    @SuppressWarnings("unchecked")
    public String handleRequest(Map<String, Object> event, Context context) {
        List<Map<String, Object>> records = (List<Map<String, Object>>) event.get("Records");
        String sleep = System.getenv("RECORDS_SLEEP_MS");
        if (sleep != null) {
            try {
                Thread.sleep(Long.parseLong(sleep));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Map<String, Object> record : records) {
            if (String.valueOf(record.get("body")).startsWith("fail")) {
                throw new IllegalStateException("refusing " + record.get("body"));
            }
        }
        StringBuilder lines = new StringBuilder();
        for (Map<String, Object> record : records) {
            Map<String, Object> attributes = (Map<String, Object>) record.get("attributes");
            Object key = attributes.getOrDefault("topic", attributes.getOrDefault("subject", attributes.get("queue")));
            lines.append("record ").append(record.get("eventSource")).append(' ').append(key).append(' ')
                    .append(record.get("body")).append('\n');
        }
        // one write per batch, so concurrent batches never interleave inside a line
        System.out.print(lines);
        System.out.flush();
        return "ok " + records.size();
    }
}
