package dev.cumulus.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The policies attached to a principal: inline documents (docs/adr), kept as one JSON array in
 * the principal's row. Each is named {@code policy[i]} in decisions.
 */
public final class Policies {
    static final int MAX_ATTACHED = 10;

    private Policies() {}

    /**
     * The policies of a request body: {@code "policy": {...}} or {@code "policies": [{...}, ...]}
     * (not both); empty when it has neither.
     */
    public static List<Policy> fromRequest(JsonNode body) {
        JsonNode one = body.get("policy");
        JsonNode many = body.get("policies");
        if (one != null && many != null) {
            throw ApiException.badRequest("InvalidParameter", "give either policy or policies, not both");
        }
        if (one != null) {
            return List.of(Policy.parse("policy[0]", one));
        }
        if (many == null) {
            return List.of();
        }
        if (!many.isArray()) {
            throw ApiException.badRequest("InvalidParameter", "policies must be an array of policy documents");
        }
        if (many.size() > MAX_ATTACHED) {
            throw ApiException.badRequest("InvalidParameter", "at most " + MAX_ATTACHED + " policies per principal");
        }
        List<Policy> policies = new ArrayList<>();
        for (int i = 0; i < many.size(); i++) {
            try {
                policies.add(Policy.parse("policy[" + i + "]", many.get(i)));
            } catch (ApiException e) {
                throw new ApiException(e.status(), e.code(), "policies[" + i + "]: " + e.getMessage());
            }
        }
        return policies;
    }

    /** The JSON array kept in the Store. */
    public static String toJson(List<Policy> policies) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        policies.forEach(p -> array.add(p.document()));
        return array.toString();
    }

    /** The documents of {@link #toJson}, parsed again. */
    public static List<Policy> fromJson(String json) {
        try {
            JsonNode array = Json.MAPPER.readTree(json);
            List<Policy> policies = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                policies.add(Policy.parse("policy[" + i + "]", array.get(i)));
            }
            return policies;
        } catch (IOException e) {
            throw new UncheckedIOException("a stored policy array is not JSON", e);
        }
    }

    /** For responses: the documents as JSON. */
    public static JsonNode view(List<Policy> policies) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        policies.forEach(p -> array.add(p.document()));
        return array;
    }
}
