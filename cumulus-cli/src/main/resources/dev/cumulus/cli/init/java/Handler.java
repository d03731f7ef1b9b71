package {{package}};

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.Map;

/**
 * Answers {@code {"name": "Ada"}} with {@code {"greeting": "Hello, Ada!"}}. The event and the
 * answer are JSON; records, POJOs and maps work for both.
 */
public class Handler implements RequestHandler<Map<String, Object>, Map<String, String>> {
    /** Read once per instance: cumulus.yaml's env sets it. */
    private final String greeting = System.getenv().getOrDefault("GREETING", "Hello");

    @Override
    public Map<String, String> handleRequest(Map<String, Object> event, Context context) {
        Object name = event == null ? null : event.get("name");
        String who = name == null ? "world" : name.toString();
        context.logger().log("greeting " + who); // `cumulus logs {{name}}` shows it
        return Map.of("greeting", greeting + ", " + who + "!");
    }
}
