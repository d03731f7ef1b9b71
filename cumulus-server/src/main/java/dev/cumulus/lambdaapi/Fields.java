package dev.cumulus.lambdaapi;

import dev.cumulus.web.Call;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.io.Content;

/** Reading Lambda's request documents and writing its answers, with Lambda's refusals for bad fields. */
final class Fields {
    private static final String JSON = "application/json";

    private Fields() {}

    /** The request's JSON object; an empty body is an empty object (several operations send none). */
    static JsonNode body(Call call) {
        return call.body().length == 0 ? Json.MAPPER.createObjectNode() : Json.parseObject(call.body());
    }

    /** Refuses any field but {@code allowed} that sets something: Cumulus would not keep it. */
    static void only(JsonNode body, String... allowed) {
        Set<String> known = Set.of(allowed);
        for (var field : body.properties()) {
            JsonNode value = field.getValue();
            // an empty list, map or string sets nothing (tools send "Layers": [], "VpcConfig": {} or
            // "KMSKeyArn": "" by default)
            boolean empty = value.isNull() || (value.isContainerNode() && value.isEmpty())
                    || (value.isTextual() && value.asText().isEmpty());
            if (!known.contains(field.getKey()) && !empty) {
                throw LambdaError.invalid(field.getKey() + " is not supported by Cumulus (docs/lambda-compatibility.md)");
            }
        }
    }

    static String text(JsonNode body, String field, boolean required) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw LambdaError.invalid(field + " is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw LambdaError.invalid(field + " must be a string");
        }
        return node.asText();
    }

    static int integer(JsonNode body, String field, int fallback) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw LambdaError.invalid(field + " must be a whole number");
        }
        return node.asInt();
    }

    static int requiredInteger(JsonNode body, String field) {
        if (!body.hasNonNull(field)) {
            throw LambdaError.invalid(field + " is required");
        }
        return integer(body, field, 0);
    }

    static boolean bool(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw LambdaError.invalid(field + " must be true or false");
        }
        return node.asBoolean();
    }

    /** An object of string values ({@code Tags}, {@code Environment.Variables}); empty when absent. */
    static Map<String, String> strings(JsonNode body, String field) {
        JsonNode node = body.get(field);
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw LambdaError.invalid(field + " must be an object of strings");
        }
        for (var entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw LambdaError.invalid(field + "." + entry.getKey() + " must be a string");
            }
            out.put(entry.getKey(), entry.getValue().asText());
        }
        return out;
    }

    /** Lambda's pagination: {@code Marker} (here an offset) and {@code MaxItems} (1..10000, 50 by default). */
    static ObjectNode page(Call call, String field, List<? extends JsonNode> all) {
        int from = 0;
        int max = 50;
        try {
            if (call.query("Marker") != null) {
                from = Integer.parseInt(call.query("Marker"));
            }
            if (call.query("MaxItems") != null) {
                max = Integer.parseInt(call.query("MaxItems"));
            }
        } catch (NumberFormatException e) {
            throw LambdaError.invalid("Marker and MaxItems must be numbers");
        }
        if (from < 0 || from > all.size() || max < 1 || max > 10_000) {
            throw LambdaError.invalid("Marker must come from a previous page and MaxItems be from 1 to 10000");
        }
        int to = Math.min(all.size(), from + max);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.putArray(field).addAll(all.subList(from, to));
        if (to < all.size()) {
            out.put("NextMarker", Integer.toString(to));
        }
        return out;
    }

    static void write(Call call, int status, JsonNode body) throws IOException {
        Exchange.write(call.response(), status, JSON, Json.write(body));
    }

    static void noContent(Call call) throws IOException {
        call.response().setStatus(204);
        Content.Sink.write(call.response(), true, ByteBuffer.allocate(0));
    }
}
