package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fails at random: throws with probability {@code failRate} (default 0.3), else answers
 * {@code "ok"}. For retry and dead-letter tests.
 */
public class Flaky implements RequestHandler<Map<String, Object>, String> {
    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        Object rate = input == null ? null : input.get("failRate");
        double failRate = rate instanceof Number n ? n.doubleValue() : 0.3;
        if (ThreadLocalRandom.current().nextDouble() < failRate) {
            throw new IllegalStateException("flaky failure of " + context.requestId());
        }
        return "ok";
    }
}
