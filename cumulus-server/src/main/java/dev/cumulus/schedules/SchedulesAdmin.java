package dev.cumulus.schedules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Call;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/** {@code /v1/schedules}: create, list, get, delete, enable, disable, and a schedule's recent ticks */
final class SchedulesAdmin {
    static final String PREFIX = "/v1/schedules";
    private static final String JSON = "application/json";
    private static final Set<String> FIELDS = Set.of("name", "function", "cron", "rate", "timeZone", "payload", "enabled", "catchUp");
    static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    private final ScheduleStore store;
    private final Invoker invoker;
    private final Dispatcher dispatcher;
    private final Clock clock;

    /** Every route acts in the request's project; a schedule fires in its own (the Dispatcher). */
    SchedulesAdmin(ScheduleStore store, Invoker invoker, Dispatcher dispatcher, Clock clock) {
        this.store = store;
        this.invoker = invoker;
        this.dispatcher = dispatcher;
        this.clock = clock;
    }

    List<Route> routes() {
        return List.of(
                Route.get(PREFIX).authorize("schedules:List", "schedules", "*")
                        .handle(call -> call.json(200, Map.of("schedules",
                                store.list(call.project()).stream().map(SchedulesAdmin::view).toList()))),
                Route.post(PREFIX).authorize("schedules:Create", "schedules", "*").handle(this::create),
                Route.get(PREFIX + "/{name}").authorize("schedules:Get", "schedules", "{name}")
                        .handle(call -> Exchange.write(call.response(), 200, JSON,
                                Json.write(view(require(call.project(), call.param("name")))))),
                Route.delete(PREFIX + "/{name}").authorize("schedules:Delete", "schedules", "{name}").handle(call -> {
                    if (!store.delete(call.project(), call.param("name"))) throw missing(call.param("name"));
                    call.noContent();
                }),
                Route.post(PREFIX + "/{name}/enable").authorize("schedules:Enable", "schedules", "{name}")
                        .handle(call -> setEnabled(call, true)),
                Route.post(PREFIX + "/{name}/disable").authorize("schedules:Disable", "schedules", "{name}")
                        .handle(call -> setEnabled(call, false)),
                Route.get(PREFIX + "/{name}/ticks").authorize("schedules:GetTicks", "schedules", "{name}")
                        .handle(this::ticks));
    }

    private void create(Call call) throws IOException {
        Schedule created = store.create(parse(call.project(), Json.parseObject(Exchange.readBody(call.request(), MAX_PAYLOAD_BYTES * 2))));
        dispatcher.wake();
        call.json(201, view(created));
    }

    private void setEnabled(Call call, boolean enabled) throws IOException {
        String name = call.param("name");
        Schedule current = require(call.project(), name);
        Instant now = clock.instant();
        Instant next = current.trigger().nextAfter(now);
        Schedule changed = store.setEnabled(call.project(), name, enabled, next == null ? Dispatcher.NEVER : next, now)
                .orElseThrow(() -> missing(name));
        dispatcher.wake();
        call.json(200, view(changed));
    }

    private void ticks(Call call) throws IOException {
        Schedule schedule = require(call.project(), call.param("name"));
        int limit = limit(Request.extractQueryParameters(call.request()));
        var ticks = store.ticks(schedule.id(), limit).stream().map(t -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("tick", t.tick().toString());
            view.put("outcome", t.outcome());
            view.put("skipped", t.skipped());
            view.put("requestId", t.requestId());
            view.put("message", t.message());
            view.put("claimedAt", t.claimedAt().toString());
            return view;
        }).toList();
        call.json(200, Map.of("ticks", ticks));
    }

    private Schedule parse(String project, JsonNode body) {
        body.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw ApiException.badRequest("UnknownField", "unknown field '" + name + "'; known: "
                        + String.join(", ", FIELDS.stream().sorted().toList()));
            }
        });
        String name = text(body, "name", true);
        if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw ApiException.badRequest("InvalidName", "a schedule name is 1 to 64 letters, digits, '.', '_' or '-'; got " + name);
        }
        String function = text(body, "function", true);
        if (!function.matches("[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,64})?")) {
            throw ApiException.badRequest("InvalidFunction", "'function' must be NAME or NAME:QUALIFIER, got " + function);
        }
        try {
            invoker.resolve(project, function);
        } catch (ApiException e) {
            if (e.status() != 404) throw e;
            throw ApiException.badRequest("UnknownFunction", "function " + function + " does not exist");
        }
        String tz = body.has("timeZone") ? text(body, "timeZone", true) : "UTC";
        if (!tz.equals("UTC") && !ZoneId.getAvailableZoneIds().contains(tz)) {
            throw ApiException.badRequest("InvalidTimeZone", "unknown time zone '" + tz + "'; use an IANA name such as Europe/Berlin");
        }
        ZoneId zone = ZoneId.of(tz);
        String cron = text(body, "cron", false);
        String rate = text(body, "rate", false);
        if ((cron == null) == (rate == null)) {
            throw ApiException.badRequest("InvalidExpression", "give exactly one of 'cron' (5 or 6 fields) and 'rate' (e.g. \"5 minutes\")");
        }
        Instant now = clock.instant();
        Instant anchor = now.truncatedTo(ChronoUnit.SECONDS);
        Trigger trigger = cron != null ? Trigger.CronTrigger.parse(cron, zone) : Trigger.RateTrigger.parse(rate, anchor);
        Instant next = trigger.nextAfter(now);
        if (next == null) {
            throw ApiException.badRequest("InvalidCron", "the cron expression '" + cron + "' never fires");
        }
        String payload = null;
        JsonNode payloadNode = body.get("payload");
        if (payloadNode != null && !payloadNode.isNull()) {
            if (!payloadNode.isObject()) {
                throw ApiException.badRequest("InvalidPayload", "'payload' must be a JSON object (it becomes the event's detail)");
            }
            payload = payloadNode.toString();
            if (payload.length() > MAX_PAYLOAD_BYTES) {
                throw ApiException.badRequest("InvalidPayload", "'payload' is larger than " + MAX_PAYLOAD_BYTES + " bytes");
            }
        }
        boolean enabled = true;
        if (body.has("enabled")) {
            if (!body.get("enabled").isBoolean()) throw ApiException.badRequest("InvalidField", "'enabled' must be true or false");
            enabled = body.get("enabled").asBoolean();
        }
        CatchUp catchUp = body.has("catchUp") ? CatchUp.parse(text(body, "catchUp", true)) : CatchUp.DEFAULT;
        String id = "s-" + Invoker.newRequestId().replace("-", "").substring(0, 12);
        return new Schedule(id, project, name, function, trigger.expression(), zone, payload, catchUp, enabled, anchor,
                next, 0, 0, null, now, now);
    }

    private Schedule require(String project, String name) {
        return store.get(project, name).orElseThrow(() -> missing(name));
    }

    private static ApiException missing(String name) {
        return ApiException.notFound("schedule " + name + " does not exist");
    }

    private static int limit(Fields query) {
        String value = query.getValue("limit");
        if (value == null) return 50;
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= ScheduleStore.TICKS_KEPT) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("InvalidParameter", "'limit' must be a whole number from 1 to " + ScheduleStore.TICKS_KEPT);
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) throw ApiException.badRequest("MissingField", "'" + field + "' is required");
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest("InvalidField", "'" + field + "' must be a string");
        }
        return node.asText();
    }

    /**
     * A fire time as the schedule's own wall clock with its offset ({@code 2026-12-05T02:00:00+01:00}
     * for a 02:00 Europe/Berlin cron), so it reads like the cron; still one exact ISO-8601 instant.
     */
    static String inZone(Instant time, ZoneId zone) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time.atZone(zone));
    }

    static Map<String, Object> view(Schedule s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", s.id());
        view.put("name", s.name());
        view.put("function", s.function());
        // canonical again: rows stored before rates of 1 were singular read "rate(1 minutes)"
        view.put("expression", s.trigger().expression());
        view.put("timeZone", s.timeZone().getId());
        try {
            view.put("payload", s.payload() == null ? null : Json.MAPPER.readTree(s.payload()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        view.put("enabled", s.enabled());
        view.put("catchUp", CatchUp.format(s.catchUp()));
        boolean never = s.nextDue().equals(Dispatcher.NEVER);
        view.put("nextFireTime", s.enabled() && !never ? inZone(s.nextDue(), s.timeZone()) : null);
        view.put("lastFireTime", s.lastFired() == null ? null : inZone(s.lastFired(), s.timeZone()));
        view.put("firedTicks", s.firedTicks());
        view.put("skippedTicks", s.skippedTicks());
        view.put("createdAt", s.createdAt().toString());
        view.put("updatedAt", s.updatedAt().toString());
        return view;
    }
}
