package com.example.iot;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.List;
import java.util.Map;

/**
 * Takes a batch of MQTT readings from an event source mapping (SQS-shaped: {@code Records[].body})
 * and publishes one alert to topic {@code alerts} (env {@code ALERT_TOPIC}) for every reading
 * outside {@code [MIN_CELSIUS, MAX_CELSIUS]} (defaults -10 and 60). An alert's id derives from
 * the message id, so a batch that runs again never alerts twice. A malformed reading fails the
 * batch, which the mapping retries and then hands to its on-failure destination.
 */
public class IotAlert implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    static final String ALERT_TYPE = "com.example.iot.alert";

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> handleRequest(Map<String, Object> batch, Context context) {
        double min = threshold("MIN_CELSIUS", -10);
        double max = threshold("MAX_CELSIUS", 60);
        String topic = System.getenv().getOrDefault("ALERT_TOPIC", "alerts");
        int alerts = 0;
        List<Map<String, Object>> records = (List<Map<String, Object>>) batch.get("Records");
        for (Map<String, Object> record : records) {
            Reading reading = Reading.parse(String.valueOf(record.get("body")));
            if (reading.celsius() >= min && reading.celsius() <= max) {
                continue;
            }
            String kind = reading.celsius() > max ? "high" : "low";
            String alert = "{\"sensor\":\"" + reading.sensor() + "\",\"celsius\":" + reading.celsius() + ",\"limit\":"
                    + (kind.equals("high") ? max : min) + ",\"kind\":\"" + kind + "\"}";
            Object messageId = record.get("messageId");
            context.topics().publish(topic, messageId == null ? null : "alert-" + messageId, ALERT_TYPE,
                    "sensors/" + reading.sensor(), alert);
            alerts++;
        }
        context.logger().log(records.size() + " reading(s), " + alerts + " alert(s)");
        return Map.of("readings", records.size(), "alerts", alerts);
    }

    private static double threshold(String name, double fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Double.parseDouble(value.strip());
    }
}
