package dev.cumulus.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /v1/keys}: create, list and delete access keys. */
public final class KeysMount {
    private static final String JSON = "application/json";
    private final AccessKeys keys;

    public KeysMount(AccessKeys keys) {
        this.keys = keys;
    }

    public List<Route> routes() {
        return List.of(
                Route.post("/v1/keys").authorize("iam:CreateAccessKey", "iam", "access-key/*").handle(this::create),
                Route.get("/v1/keys").authorize("iam:ListAccessKeys", "iam", "access-key/*").handle(this::list),
                Route.delete("/v1/keys/{id}").authorize("iam:DeleteAccessKey", "iam", "access-key/{id}")
                        .handle(this::delete));
    }

    private void create(Call call) throws IOException {
        byte[] body = Exchange.readBody(call.request(), 64 * 1024);
        String description = null;
        if (body.length > 0) {
            JsonNode node = Json.parseObject(body);
            JsonNode d = node.get("description");
            if (d != null && !d.isNull() && !d.isTextual()) {
                throw ApiException.badRequest("InvalidParameter", "description must be a string");
            }
            description = d == null || d.isNull() ? null : d.asText();
            for (var field : node.properties()) {
                if (!field.getKey().equals("description")) {
                    throw ApiException.badRequest("InvalidParameter", "unknown field '" + field.getKey() + "'");
                }
            }
        }
        AccessKeys.Created created = keys.create(description);
        Map<String, Object> view = view(created.key());
        view.put("secretAccessKey", created.secretAccessKey());
        call.json(201, view);
    }

    private void list(Call call) throws IOException {
        List<Map<String, Object>> all = keys.list().stream().map(KeysMount::view).toList();
        call.json(200, Map.of("keys", all));
    }

    private void delete(Call call) throws IOException {
        String id = call.param("id");
        if (!keys.delete(id)) {
            throw ApiException.notFound("access key " + id + " does not exist");
        }
        call.noContent();
    }

    private static Map<String, Object> view(AccessKeys.Key key) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("accessKeyId", key.accessKeyId());
        view.put("description", key.description());
        view.put("createdAt", key.createdAt().toString());
        return view;
    }
}
