package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.Map;

/** Greets {@code {"name": ...}} and tells which instance answered, so tests can see reuse. */
public class Hello implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final long BORN = System.nanoTime();
    private static int calls;

    @Override
    public synchronized Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        calls++;
        Object name = input == null ? null : input.get("name");
        context.logger().log("greeting " + name);
        return Map.of(
                "greeting", "Hello, " + (name == null ? "world" : name) + "!",
                "instance", Long.toString(BORN),
                "calls", calls,
                "requestId", context.requestId(),
                "memoryLimitMb", context.memoryLimitMb());
    }
}
