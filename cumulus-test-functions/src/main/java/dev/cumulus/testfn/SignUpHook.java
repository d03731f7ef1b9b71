package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.Map;

/**
 * A blocking hook of end-user auth ({@code beforeCreate}, {@code beforeSignIn}): refuses
 * addresses at {@code blocked.example} with a message, and gives everyone else the claims
 * {@code plan: free} and {@code hook: <the hook's name>}.
 */
public class SignUpHook implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        Object email = event.get("email");
        if (email instanceof String address && address.endsWith("@blocked.example")) {
            return Map.of("allow", false, "message", "sign-ups from blocked.example are closed");
        }
        return Map.of("allow", true, "claims", Map.of("plan", "free", "hook", String.valueOf(event.get("hook"))));
    }
}
