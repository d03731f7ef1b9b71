package dev.cumulus.testprovided;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** Greets {@code name}; says whether the client gave it a deadline in the future. */
public class Greeter implements RequestHandler<Map<String, Object>, String> {
    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        boolean deadlineAhead = context.getRemainingTimeInMillis() > 0;
        return "hello " + input.get("name") + " from " + context.getFunctionName()
                + (deadlineAhead ? " before the deadline" : " after the deadline");
    }
}
