package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** Answers a function URL request with what it saw, as a 201 with a custom header. */
public class Echo implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        Map<String, Object> http = (Map<String, Object>) ((Map<String, Object>) event.get("requestContext")).get("http");
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("method", http.get("method"));
        seen.put("rawPath", event.get("rawPath"));
        seen.put("query", event.get("queryStringParameters"));
        seen.put("headers", event.get("headers"));
        seen.put("body", event.get("body"));
        seen.put("isBase64Encoded", event.get("isBase64Encoded"));
        seen.put("requestId", ((Map<String, Object>) event.get("requestContext")).get("requestId"));
        return Map.of("statusCode", 201, "headers", Map.of("x-echo", "true", "content-type", "application/json"),
                "body", seen);
    }
}
