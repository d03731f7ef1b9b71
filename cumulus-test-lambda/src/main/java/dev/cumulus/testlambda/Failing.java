package dev.cumulus.testlambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** Throws, with a cause, so the error document's type, message and stack trace can be checked. */
public class Failing implements RequestHandler<Map<String, Object>, String> {
    @Override
    public String handleRequest(Map<String, Object> event, Context context) {
        return check(event);
    }

    private static String check(Map<String, Object> event) {
        try {
            Integer.parseInt(String.valueOf(event.get("count")));
            throw new IllegalStateException("count was a number after all");
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad count: " + event.get("count"), e);
        }
    }
}
