package dev.cumulus.runtime.training;

import dev.cumulus.function.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A method handler taking an HTTP event as a plain map, as API Gateway functions often do. */
public class HttpApi {
    public Map<String, Object> handle(Map<String, Object> event, Context context) {
        Object path = event.get("rawPath");
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("statusCode", 200);
        response.put("headers", headers);
        response.put("body", Text.join("{\"path\":\"", String.valueOf(path)) + "\"}");
        response.put("cookies", List.of());
        response.put("isBase64Encoded", Boolean.FALSE);
        return response;
    }
}
