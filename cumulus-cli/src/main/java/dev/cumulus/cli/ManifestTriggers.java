package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a function's routes and schedules what its manifest lists, through the same REST
 * endpoints as {@code cumulus routes} and {@code cumulus schedules}: what is listed and already
 * there is kept (its id, and a schedule's tick history, stay), what differs is replaced, what is
 * missing is added, and what targets the function (unqualified) without being listed is removed.
 * A list left out of the manifest is not touched.
 */
final class ManifestTriggers {
    private static final Pattern RATE = Pattern.compile("(?:rate\\()?\\s*(\\d+)\\s+([a-zA-Z]+?)s?\\s*\\)?");

    private final ApiClient api;
    private final String function;
    private final PrintStream out;

    ManifestTriggers(ApiClient api, String function, PrintStream out) {
        this.api = api;
        this.function = function;
        this.out = out;
    }

    /** Checks, before anything changes, that no listed schedule name belongs to another function. */
    void checkSchedules(List<Manifest.Schedule> declared) {
        if (declared == null) {
            return;
        }
        for (JsonNode s : api.get("/v1/schedules").path("schedules")) {
            String owner = s.path("function").asText();
            for (Manifest.Schedule d : declared) {
                if (d.name().equals(s.path("name").asText()) && !owner.equals(function)) {
                    throw new CliException("schedule " + d.name() + " exists already for function " + owner
                            + " (schedule names are node-wide: rename it in the manifest)");
                }
            }
        }
    }

    void routes(List<Manifest.Route> declared) {
        if (declared == null) {
            return;
        }
        List<JsonNode> existing = owned(api.get("/v1/routes").path("routes"));
        List<ObjectNode> wanted = new ArrayList<>();
        for (Manifest.Route r : declared) {
            ObjectNode body = ApiClient.JSON.valueToTree(r);
            body.put("function", function);
            // the server's defaults, so that a kept route compares equal to what is asked for
            if (!body.has("payloadFormat")) body.put("payloadFormat", "2.0");
            if (!body.has("auth")) body.put("auth", "token");
            wanted.add(body);
        }
        // stale and changed routes go first: a changed path may have the shape of the route it replaces
        List<String> replaced = new ArrayList<>();
        for (Iterator<JsonNode> it = existing.iterator(); it.hasNext(); ) {
            JsonNode route = it.next();
            ObjectNode same = find(wanted, route.path("method").asText(), "path", route.path("path").asText());
            if (same != null && covers(route, same) && !(route.hasNonNull("cors") && !same.has("cors"))
                    && !(route.hasNonNull("throttle") && !same.has("throttle"))) {
                continue;
            }
            api.send("DELETE", "/v1/routes/" + ApiClient.segment(route.path("id").asText()), null);
            if (same == null) {
                out.println("removed route " + route.path("id").asText() + ": " + RoutesCommand.describe(route));
            } else {
                replaced.add(route.path("method").asText() + " " + route.path("path").asText());
            }
            it.remove();
        }
        for (ObjectNode body : wanted) {
            String key = body.path("method").asText() + " " + body.path("path").asText();
            JsonNode kept = find(existing, body.path("method").asText(), "path", body.path("path").asText());
            if (kept != null) {
                out.println("kept route " + kept.path("id").asText() + ": " + RoutesCommand.describe(kept));
            } else {
                JsonNode route = api.send("POST", "/v1/routes", body);
                out.println((replaced.contains(key) ? "replaced" : "added") + " route " + route.path("id").asText() + ": "
                        + RoutesCommand.describe(route));
            }
        }
    }

    void schedules(List<Manifest.Schedule> declared) {
        if (declared == null) {
            return;
        }
        List<JsonNode> existing = owned(api.get("/v1/schedules").path("schedules"));
        for (JsonNode schedule : existing) {
            String name = schedule.path("name").asText();
            Manifest.Schedule wanted = declared.stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
            if (wanted == null) {
                api.send("DELETE", "/v1/schedules/" + ApiClient.segment(name), null);
                out.println("removed schedule " + name);
            }
        }
        for (Manifest.Schedule s : declared) {
            ObjectNode body = ApiClient.JSON.valueToTree(s);
            body.put("function", function);
            JsonNode current = find(existing, null, "name", s.name());
            if (current != null && covers(current, comparable(body))) {
                out.println("kept schedule " + s.name() + ": " + SchedulesCommand.describe(current));
                continue;
            }
            if (current != null) {
                api.send("DELETE", "/v1/schedules/" + ApiClient.segment(s.name()), null);
            }
            JsonNode created = api.send("POST", "/v1/schedules", body);
            out.println((current != null ? "replaced" : "added") + " schedule " + s.name() + ": " + SchedulesCommand.describe(created));
        }
    }

    /** Routes and schedules whose target is exactly this function's $LATEST. */
    private List<JsonNode> owned(JsonNode all) {
        List<JsonNode> mine = new ArrayList<>();
        all.forEach(n -> {
            if (n.path("function").asText().equals(function)) {
                mine.add(n);
            }
        });
        return mine;
    }

    private static <T extends JsonNode> T find(List<T> nodes, String method, String field, String value) {
        for (T n : nodes) {
            if ((method == null || n.path("method").asText().equals(method)) && n.path(field).asText().equals(value)) {
                return n;
            }
        }
        return null;
    }

    /**
     * A schedule as the server shows it: {@code cron}/{@code rate} become its canonical
     * {@code expression} ({@code cron(0 2 * * *)}, {@code rate(1 hour)}, {@code rate(5 minutes)}: EventBridge's singular for 1). Should the server ever
     * spell one differently, the schedule is only replaced rather than kept.
     */
    private static ObjectNode comparable(ObjectNode body) {
        ObjectNode c = body.deepCopy();
        String cron = c.path("cron").asText(null);
        String rate = c.path("rate").asText(null);
        c.remove(List.of("cron", "rate"));
        if (cron != null) {
            c.put("expression", "cron(" + cron.trim().replaceAll("\\s+", " ") + ")");
        } else {
            Matcher m = RATE.matcher(rate.trim());
            c.put("expression", m.matches() ? "rate(" + m.group(1) + " " + m.group(2).toLowerCase(Locale.ROOT)
                    + (m.group(1).matches("0*1") ? "" : "s") + ")" : rate);
        }
        return c;
    }

    /**
     * Whether the server's object already has every field asked for (objects field by field,
     * numbers by value).
     */
    static boolean covers(JsonNode actual, JsonNode wanted) {
        if (wanted.isObject()) {
            for (Map.Entry<String, JsonNode> field : wanted.properties()) {
                if (!covers(actual.path(field.getKey()), field.getValue())) {
                    return false;
                }
            }
            return actual.isObject();
        }
        if (wanted.isNumber() && actual.isNumber()) {
            return wanted.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        return wanted.equals(actual);
    }
}
