package dev.cumulus.async;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * A CloudEvents 1.0 event whose data is JSON. Functions see its attributes through
 * {@code Context.cloudEvent()} (sent as the {@code Cumulus-Cloud-Event} header) and, with the
 * {@code cloudevents} payload format, the whole event in structured JSON mode as their input.
 *
 * @param subject null when the event has none
 * @param data    the event data, a JSON document (UTF-8)
 */
public record CloudEvent(String id, String source, String type, String subject, Instant time, byte[] data) {
    public static final String SPEC_VERSION = "1.0";
    public static final String DATA_CONTENT_TYPE = "application/json";
    /** The media type of an event in structured JSON mode. */
    public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json";

    /** The context attributes as a JSON object, without the data. */
    public ObjectNode attributes() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("specversion", SPEC_VERSION);
        node.put("id", id);
        node.put("source", source);
        node.put("type", type);
        if (subject != null) {
            node.put("subject", subject);
        }
        node.put("time", DateTimeFormatter.ISO_INSTANT.format(time));
        node.put("datacontenttype", DATA_CONTENT_TYPE);
        return node;
    }

    public String attributesJson() {
        return attributes().toString();
    }

    /** The event in structured JSON mode: the attributes plus {@code data}. */
    public byte[] structured() {
        ObjectNode node = attributes();
        node.set("data", dataTree());
        return Json.write(node);
    }

    JsonNode dataTree() {
        try {
            return data.length == 0 ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(data);
        } catch (IOException e) {
            throw new UncheckedIOException("event data is JSON by construction", e);
        }
    }

    /** Reads back what {@link #attributesJson()} wrote, with {@code data} beside it. */
    static CloudEvent of(String attributesJson, byte[] data) {
        try {
            JsonNode a = Json.MAPPER.readTree(attributesJson);
            return new CloudEvent(a.path("id").asText(), a.path("source").asText(), a.path("type").asText(),
                    a.hasNonNull("subject") ? a.get("subject").asText() : null, Instant.parse(a.path("time").asText()),
                    data);
        } catch (IOException e) {
            throw new UncheckedIOException("stored CloudEvent attributes are not JSON: " + attributesJson, e);
        }
    }
}
