package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import dev.cumulus.function.ServiceException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Invokes the function named by {@code {"call": "NAME"}} through {@code Context.functions()},
 * with its own role's rights, and answers what happened: {@code answer} (the callee's JSON) or
 * {@code status} and {@code error} of the node's refusal.
 */
public class Caller implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        String callee = String.valueOf(input.get("call"));
        try {
            out.put("answer", context.functions().invoke(callee, "{\"name\":\"" + context.functionName() + "\"}"));
        } catch (ServiceException e) {
            out.put("status", e.status());
            out.put("error", e.errorType());
        }
        return out;
    }
}
