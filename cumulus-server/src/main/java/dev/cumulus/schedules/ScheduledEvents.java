package dev.cumulus.schedules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** The EventBridge "Scheduled Event" a tick is delivered as, so Lambda handlers for it run unchanged. */
final class ScheduledEvents {
    static final String SOURCE = "cumulus.schedules";
    static final String DETAIL_TYPE = "Scheduled Event";
    static final String REGION = "local";

    private ScheduledEvents() {}

    /** The same tick always gives the same event id, so a resent tick is recognisably the same event. */
    static byte[] event(Schedule schedule, Instant tick) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("version", "0");
        event.put("id", UUID.nameUUIDFromBytes(idempotencyKey(schedule, tick).getBytes(StandardCharsets.UTF_8)).toString());
        event.put("detail-type", DETAIL_TYPE);
        event.put("source", SOURCE);
        event.put("account", schedule.project());
        event.put("time", tick.truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("region", REGION);
        event.putArray("resources").add(resource(schedule));
        event.set("detail", detail(schedule.payload()));
        return Json.write(event);
    }

    static String idempotencyKey(Schedule schedule, Instant tick) {
        return "schedule:" + schedule.id() + "@" + tick.toEpochMilli();
    }

    static String resource(Schedule schedule) {
        return "cumulus:schedules:" + REGION + ":" + schedule.project() + ":schedule/" + schedule.name();
    }

    private static JsonNode detail(String payload) {
        if (payload == null) {
            return Json.MAPPER.createObjectNode();
        }
        try {
            return Json.MAPPER.readTree(payload);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored schedule payload is not JSON", e);
        }
    }
}
