package dev.cumulus.testlambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** The most common Lambda handler shape: a map in, a string out, a line through the LambdaLogger. */
public class Greeting implements RequestHandler<Map<String, Object>, String> {
    @Override
    public String handleRequest(Map<String, Object> event, Context context) {
        context.getLogger().log("greeting " + event.get("name") + " in " + context.getAwsRequestId());
        return "Hello, " + event.get("name") + "!";
    }
}
