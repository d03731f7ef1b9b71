package dev.cumulus.testprovided;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** Always throws, so the client reports the exception through {@code invocation/{id}/error}. */
public class Thrower implements RequestHandler<Map<String, Object>, String> {
    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        throw new IllegalStateException("thrown on purpose: " + input.get("name"));
    }
}
