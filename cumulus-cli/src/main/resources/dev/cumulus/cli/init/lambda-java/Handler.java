package {{package}};

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/**
 * Answers {@code {"name": "Ada"}} with {@code {"greeting": "Hello, Ada!"}}: an AWS Lambda handler,
 * deployable to Lambda as it is.
 */
public class Handler implements RequestHandler<Map<String, Object>, Map<String, String>> {
    /** Read once per instance: cumulus.yaml's env sets it. */
    private final String greeting = System.getenv().getOrDefault("GREETING", "Hello");

    @Override
    public Map<String, String> handleRequest(Map<String, Object> event, Context context) {
        Object name = event == null ? null : event.get("name");
        String who = name == null ? "world" : name.toString();
        context.getLogger().log("greeting " + who); // `cumulus logs {{name}}` shows it
        return Map.of("greeting", greeting + ", " + who + "!");
    }
}
