package dev.cumulus.iam;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.Request;

/** A JSON request body of the IAM API: only the fields an endpoint names, each of its type. */
final class RequestBody {
    static final int LIMIT = 256 * 1024;

    private final JsonNode node;

    private RequestBody(JsonNode node) {
        this.node = node;
    }

    /** Reads the body (an empty one is {}), refusing fields outside {@code allowed}. */
    static RequestBody read(Request request, Set<String> allowed) throws IOException {
        byte[] bytes = Exchange.readBody(request, LIMIT);
        JsonNode node = bytes.length == 0 ? Json.MAPPER.createObjectNode() : Json.parseObject(bytes);
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!allowed.contains(field.getKey())) {
                throw ApiException.badRequest("InvalidParameter", "unknown field '" + field.getKey() + "' (known: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
        return new RequestBody(node);
    }

    JsonNode node() {
        return node;
    }

    String text(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.badRequest("InvalidParameter", field + " must be a string");
        }
        return value.asText();
    }

    String requiredText(String field) {
        String value = text(field);
        if (value == null || value.isEmpty()) {
            throw ApiException.badRequest("InvalidParameter", field + " is required");
        }
        return value;
    }

    Instant instant(String field) {
        String value = text(field);
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("InvalidParameter", field + " is an ISO-8601 instant (2026-12-31T00:00:00Z): '"
                    + value + "'");
        }
    }

    boolean flag(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw ApiException.badRequest("InvalidParameter", field + " must be true or false");
        }
        return value.asBoolean();
    }

    /**
     * The policies to attach: {@code policy}, {@code policies}, or {@code "admin": true} for the
     * project's admin policy; empty when none is given.
     */
    List<Policy> policies(String project) {
        List<Policy> given = Policies.fromRequest(node);
        if (flag("admin")) {
            if (!given.isEmpty()) {
                throw ApiException.badRequest("InvalidParameter", "give admin or policy/policies, not both");
            }
            return List.of(Policy.admin(project));
        }
        return given;
    }
}
