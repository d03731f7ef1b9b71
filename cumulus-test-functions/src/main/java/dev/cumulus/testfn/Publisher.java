package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import dev.cumulus.function.ServiceException;
import java.util.Map;

/**
 * Publishes from inside the function: input {@code {"topic": T, "type": ..., "subject": ...,
 * "data": JSON text}}; answers {@code {"eventId": id}}, or, when the node refuses,
 * {@code {"refused": status, "errorType": ...}} (with {@code "rethrow": true} the
 * {@link ServiceException} propagates and fails the invocation).
 */
public class Publisher implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        try {
            String id = context.topics().publish((String) input.get("topic"), (String) input.get("type"),
                    (String) input.get("subject"), (String) input.get("data"));
            return Map.of("eventId", id);
        } catch (ServiceException e) {
            if (Boolean.TRUE.equals(input.get("rethrow"))) {
                throw e;
            }
            return Map.of("refused", e.status(), "errorType", e.errorType(), "message", e.getMessage());
        }
    }
}
