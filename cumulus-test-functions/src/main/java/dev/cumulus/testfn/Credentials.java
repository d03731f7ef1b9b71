package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shows what the node granted this invocation: its execution token ({@code Context.token()}) and
 * the node's API endpoint. With {@code {"print": "NAME"}} it first prints the value of environment
 * variable NAME (a secret, in tests of log redaction) and answers whether it had one.
 */
public class Credentials implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("token", context.token().orElse(null));
        out.put("apiUrl", System.getenv("CUMULUS_API_URL"));
        Object print = input == null ? null : input.get("print");
        if (print instanceof String name) {
            String value = System.getenv(name);
            System.out.println("the value of " + name + " is " + value);
            System.out.flush();
            context.logger().log("logged " + value);
            out.put("had", value != null);
            out.put("length", value == null ? 0 : value.length());
        }
        return out;
    }
}
