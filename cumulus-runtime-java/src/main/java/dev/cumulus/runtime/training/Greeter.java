package dev.cumulus.runtime.training;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The most common shape: a typed event (a record) in, a map out, an exception now and then. */
public class Greeter implements RequestHandler<Greeter.Person, Map<String, Object>> {
    public record Person(String name, int age, boolean member, double score, List<String> tags,
            Map<String, String> attributes) {}

    @Override
    public Map<String, Object> handleRequest(Person person, Context context) {
        if (person.name() == null || person.name().isEmpty()) {
            throw new IllegalArgumentException("a person needs a name");
        }
        context.logger().log(Text.join("greeting ", person.name()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("greeting", Text.join("Hello ", person.name()));
        out.put("age", person.age());
        out.put("member", person.member());
        out.put("score", person.score());
        out.put("tags", person.tags());
        out.put("attributes", person.attributes());
        out.put("requestId", context.requestId());
        out.put("remainingMs", context.remainingTimeMillis());
        return out;
    }
}
