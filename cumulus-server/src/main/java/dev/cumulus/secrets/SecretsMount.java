package dev.cumulus.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Route;
import dev.cumulus.web.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A function's secrets, in the request's project:
 * <ul>
 *   <li>{@code PUT /v1/functions/{name}/secrets/{KEY}} with {@code {"value": "..."}}: set, 204</li>
 *   <li>{@code GET /v1/functions/{name}/secrets}: names and times, never values</li>
 *   <li>{@code DELETE /v1/functions/{name}/secrets/{KEY}}: remove, 204</li>
 * </ul>
 */
public final class SecretsMount {
    private static final int MAX_BODY_BYTES = FunctionSecrets.MAX_VALUE_BYTES * 2 + 1024;

    private final FunctionSecrets secrets;

    public SecretsMount(FunctionSecrets secrets) {
        this.secrets = secrets;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/v1/functions/{name}/secrets").authorize("functions:ListSecrets", "functions", "{name}")
                        .handle(this::list),
                Route.put("/v1/functions/{name}/secrets/{key}").authorize("functions:PutSecret", "functions", "{name}")
                        .handle(this::put),
                Route.delete("/v1/functions/{name}/secrets/{key}")
                        .authorize("functions:DeleteSecret", "functions", "{name}").handle(this::delete));
    }

    private void list(Call call) throws java.io.IOException {
        List<Map<String, Object>> all = secrets.list(call.project(), call.param("name")).stream()
                .map(SecretsMount::view).toList();
        call.json(200, Map.of("secrets", all));
    }

    private void put(Call call) throws java.io.IOException {
        secrets.put(call.project(), call.param("name"), call.param("key"),
                value(Exchange.readBody(call.request(), MAX_BODY_BYTES)));
        call.noContent();
    }

    private void delete(Call call) throws java.io.IOException {
        if (!secrets.delete(call.project(), call.param("name"), call.param("key"))) {
            throw ApiException.notFound("function " + call.param("name") + " has no secret " + call.param("key"));
        }
        call.noContent();
    }

    private static String value(byte[] body) {
        JsonNode node = Json.parseObject(body);
        for (var field : node.properties()) {
            if (!field.getKey().equals("value")) {
                throw ApiException.badRequest("InvalidParameter", "unknown field '" + field.getKey() + "'");
            }
        }
        JsonNode value = node.get("value");
        if (value == null || !value.isTextual()) {
            throw ApiException.badRequest("InvalidParameter", "'value' is required, a string");
        }
        return value.asText();
    }

    private static Map<String, Object> view(FunctionSecrets.Info info) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", info.name());
        view.put("createdAt", info.createdAt().toString());
        view.put("updatedAt", info.updatedAt().toString());
        return view;
    }
}
