package com.example.hello;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.Map;

/** Returns a greeting for {@code {"name": ...}}. */
public class Hello implements RequestHandler<Map<String, Object>, Map<String, String>> {
    @Override
    public Map<String, String> handleRequest(Map<String, Object> input, Context context) {
        Object name = input == null ? null : input.get("name");
        context.logger().log("greeting " + (name == null ? "world" : name));
        return Map.of("greeting", "Hello, " + (name == null ? "world" : name) + "!");
    }
}
