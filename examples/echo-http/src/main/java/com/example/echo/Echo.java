package com.example.echo;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** Echoes the method, path and body of the HTTP request that reached its function URL. */
public class Echo implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        Map<String, Object> http = (Map<String, Object>)
                ((Map<String, Object>) event.getOrDefault("requestContext", Map.of())).getOrDefault("http", Map.of());
        Map<String, Object> echoed = new LinkedHashMap<>();
        echoed.put("method", http.get("method"));
        echoed.put("path", event.get("rawPath"));
        echoed.put("body", event.get("body"));
        context.logger().log(http.get("method") + " " + event.get("rawPath"));
        return Map.of(
                "statusCode", 200,
                "headers", Map.of("content-type", "application/json"),
                "body", echoed);
    }
}
