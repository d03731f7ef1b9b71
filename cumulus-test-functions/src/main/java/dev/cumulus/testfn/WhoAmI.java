package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.EndUser;
import dev.cumulus.function.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** Answers an HTTP event with the end user its Context shows ({@code Context.user()}), or none. */
public class WhoAmI implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        Map<String, Object> seen = new LinkedHashMap<>();
        EndUser user = context.user().orElse(null);
        seen.put("signedIn", user != null);
        if (user != null) {
            seen.put("id", user.id());
            seen.put("email", user.email());
            seen.put("claims", user.claims());
        }
        return Map.of("statusCode", 200, "headers", Map.of("content-type", "application/json"), "body", seen);
    }
}
