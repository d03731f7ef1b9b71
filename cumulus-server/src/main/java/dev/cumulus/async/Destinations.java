package dev.cumulus.async;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.async.DeliveryStateMachine.Condition;
import dev.cumulus.async.DeliveryStateMachine.Outcome;
import dev.cumulus.async.DeliveryStateMachine.Transition;
import dev.cumulus.async.OutboxRow.TargetKind;
import dev.cumulus.invoke.AsyncInvoker.PayloadFormat;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.registry.AsyncConfig.Destination;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * The event an on-success or on-failure destination receives: a CloudEvent whose data is a
 * record of the outcome (shaped like Lambda's destination records), carrying the original event.
 */
final class Destinations {
    static final String SUCCESS_TYPE = "dev.cumulus.async.success";
    static final String FAILURE_TYPE = "dev.cumulus.async.failure";

    private Destinations() {}

    /** The outbox row that hands {@code row}'s outcome to {@code t.destination()}, or null when there is none. */
    static OutboxRow record(OutboxRow row, Transition t, Outcome outcome, Instant now) {
        Destination to = t.destination();
        if (to == null) {
            return null;
        }
        boolean success = outcome instanceof Outcome.Success;
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("version", "1.0");
        data.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(now));
        ObjectNode context = data.putObject("requestContext");
        context.put("requestId", row.requestId());
        context.put("function", row.target());
        context.put("condition", success ? "Success" : condition(t.condition()));
        context.put("approximateInvokeCount", t.attempts());
        data.set("requestPayload", row.event().dataTree());
        data.set("requestCloudEvent", row.event().attributes());
        if (outcome instanceof Outcome.Success s) {
            ObjectNode response = data.putObject("responseContext");
            response.put("executedVersion", s.version());
            data.set("responsePayload", responseTree(s.response()));
        } else {
            ObjectNode reason = data.putObject("reason");
            reason.put("errorType", t.errorType());
            reason.put("errorMessage", t.errorMessage());
            reason.put("attempts", t.attempts());
        }
        String requestId = Invoker.newRequestId();
        CloudEvent event = new CloudEvent(requestId, "/v1/functions/" + row.functionName(),
                success ? SUCCESS_TYPE : FAILURE_TYPE, row.requestId(), now, Json.write(data));
        return switch (to.kind()) {
            case FUNCTION -> OutboxRow.queued(requestId, row.project(), TargetKind.FUNCTION, to.name(), to.name(),
                    null, row.requestId(), event, PayloadFormat.RAW, now);
            case TOPIC -> OutboxRow.queued(requestId, row.project(), TargetKind.TOPIC, to.name(), null,
                    null, row.requestId(), event, PayloadFormat.RAW, now);
        };
    }

    private static String condition(Condition condition) {
        return switch (condition) {
            case RETRIES_EXHAUSTED -> "RetriesExhausted";
            case EVENT_AGE_EXCEEDED -> "EventAgeExceeded";
            case UNDELIVERABLE -> "Undeliverable";
        };
    }

    /** A response too large to travel in an event is left out rather than making the record too large. */
    private static JsonNode responseTree(byte[] response) {
        if (response == null || response.length == 0) {
            return Json.MAPPER.nullNode();
        }
        if (response.length > dev.cumulus.invoke.AsyncInvoker.MAX_EVENT_BYTES / 2) {
            return Json.MAPPER.getNodeFactory().textNode("(response of " + response.length + " bytes left out)");
        }
        try {
            return Json.MAPPER.readTree(response);
        } catch (IOException e) {
            return Json.MAPPER.getNodeFactory().textNode(new String(response, java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
