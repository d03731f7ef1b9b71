package com.example.shop;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.Map;

/**
 * Subscribed to the products' change events (their collection's {@code changesTopic}): when a
 * product's stock falls below {@code LOW_STOCK} (default 3), that is when an update takes it from
 * at least the threshold to below it, it logs {@code LOW STOCK <id>: <n> left} and publishes an
 * alert to topic {@code ALERT_TOPIC} (default {@code inventory-alerts}). Only the crossing alerts,
 * so a product selling down to zero alerts once, not on every sale; the alert's id derives from
 * the document's version, so a change event delivered twice publishes one alert.
 */
public class InventoryAlert implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    static final String ALERT_TYPE = "com.example.shop.low-stock";

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> change, Context context) {
        long threshold = Long.parseLong(System.getenv().getOrDefault("LOW_STOCK", "3").strip());
        Long before = stock(change.get("before"));
        Long after = stock(change.get("after"));
        String id = String.valueOf(change.get("id"));
        Object version = change.get("after") instanceof Map<?, ?> doc ? doc.get("version") : null;
        context.logger().log("checked " + id + " v" + version + ": stock " + before + " -> " + after);
        if (!"document.updated".equals(change.get("type")) || before == null || after == null
                || before < threshold || after >= threshold) {
            return Map.of("alerted", false);
        }
        context.logger().log("LOW STOCK " + id + ": " + after + " left");
        context.topics().publish(System.getenv().getOrDefault("ALERT_TOPIC", "inventory-alerts"),
                "low-stock-" + id + "-" + version, ALERT_TYPE, "products/" + id,
                Json.write(Map.of("product", id, "stock", after, "threshold", threshold)));
        return Map.of("alerted", true);
    }

    /** The stock of a document as the change event shows it ({@code {id, version, data}}); null when absent. */
    private static Long stock(Object document) {
        return document instanceof Map<?, ?> doc && doc.get("data") instanceof Map<?, ?> data
                && data.get("stock") instanceof Number n ? n.longValue() : null;
    }
}
