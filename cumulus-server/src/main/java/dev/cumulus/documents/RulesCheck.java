package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a collection's rules against cases, with the node's own evaluator, offline: what
 * {@code cumulus rules test FILE} does. A file is {@code {"rules": {...}, "cases": [...]}}; a case
 * is {@code {"name", "op", "auth": {"uid", "claims"} | null, "resource": {"id", "data", "version"} | null,
 * "data": {...} | null, "time": ISO-8601, "expect": "allow" | "deny"}}.
 */
public final class RulesCheck {
    static final Instant DEFAULT_TIME = Instant.parse("2026-01-01T00:00:00Z");
    private static final Set<String> CASE_FIELDS = Set.of("name", "op", "auth", "resource", "data", "time", "expect");

    private RulesCheck() {}

    /** One case's result. */
    public record Outcome(String name, String operation, boolean expected, boolean actual) {
        public boolean passed() {
            return expected == actual;
        }
    }

    /** @throws IllegalArgumentException for a file that is not a rules file (the message says where) */
    public static List<Outcome> run(JsonNode file) {
        if (file == null || !file.isObject() || !file.has("rules") || !file.path("cases").isArray()) {
            throw new IllegalArgumentException("a rules file is an object with \"rules\" (operation -> CEL) and \"cases\" (a list)");
        }
        Rules rules;
        try {
            rules = Rules.compile(file.get("rules"));
        } catch (ApiException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        List<Outcome> outcomes = new ArrayList<>();
        JsonNode cases = file.get("cases");
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            String at = "cases[" + i + "]";
            if (!c.isObject()) {
                throw new IllegalArgumentException(at + " must be an object");
            }
            for (Iterator<String> names = c.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!CASE_FIELDS.contains(name)) {
                    throw new IllegalArgumentException(at + ": unknown field '" + name + "'; a case has " + CASE_FIELDS);
                }
            }
            String name = c.path("name").asText(at);
            Rules.Operation op = null;
            for (Rules.Operation o : Rules.Operation.values()) {
                if (o.key().equals(c.path("op").asText())) {
                    op = o;
                }
            }
            if (op == null) {
                throw new IllegalArgumentException(at + ".op must be read, list, create, update or delete");
            }
            String expect = c.path("expect").asText();
            if (!expect.equals("allow") && !expect.equals("deny")) {
                throw new IllegalArgumentException(at + ".expect must be allow or deny");
            }
            RequestAuth auth = null;
            JsonNode a = c.get("auth");
            if (a != null && !a.isNull()) {
                if (!a.path("uid").isTextual()) {
                    throw new IllegalArgumentException(at + ".auth.uid is required, a string (or auth: null)");
                }
                Map<String, Object> claims = new LinkedHashMap<>();
                a.path("claims").properties().forEach(e -> claims.put(e.getKey(), e.getValue()));
                auth = new RequestAuth(a.get("uid").asText(), claims);
            }
            Map<String, Object> resource = null;
            JsonNode r = c.get("resource");
            if (r != null && !r.isNull()) {
                resource = Rules.resource(r.path("id").asText("doc"), r.path("data"), r.path("version").asLong(1));
            }
            JsonNode data = c.get("data");
            Instant time = DEFAULT_TIME;
            if (c.hasNonNull("time")) {
                try {
                    time = Instant.parse(c.get("time").asText());
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException(at + ".time must be an ISO-8601 instant");
                }
            }
            boolean allowed = rules.allows(op, auth, resource, data == null || data.isNull() ? null : data, time);
            outcomes.add(new Outcome(name, op.key(), expect.equals("allow"), allowed));
        }
        return outcomes;
    }
}
