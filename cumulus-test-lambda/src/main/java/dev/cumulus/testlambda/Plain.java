package dev.cumulus.testlambda;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.Map;

/** A {@code Class::method} handler, as Lambda allows, whose second parameter is Lambda's Context. */
public class Plain {
    public Map<String, Object> describe(Map<String, Object> event, Context context) {
        return Map.of("event", event, "context", OrderHandler.describe(context));
    }
}
