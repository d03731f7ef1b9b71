package dev.cumulus.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Mount;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** {@code /v1/keys}: create, list and delete access keys, with the root token. */
public final class KeysMount implements Mount {
    private static final String JSON = "application/json";
    private final AccessKeys keys;

    public KeysMount(AccessKeys keys) {
        this.keys = keys;
    }

    @Override
    public String prefix() {
        return "/v1/keys";
    }

    @Override
    public Access access() {
        return Access.ADMIN;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        String rest = request.getHttpURI().getPath().substring(prefix().length());
        String method = request.getMethod();
        if (rest.isEmpty() || rest.equals("/")) {
            switch (method) {
                case "POST" -> {
                    byte[] body = Exchange.readBody(request, 64 * 1024);
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
                    Exchange.write(response, 201, JSON, Json.write(view));
                }
                case "GET" -> {
                    List<Map<String, Object>> all = keys.list().stream().map(KeysMount::view).toList();
                    Exchange.write(response, 200, JSON, Json.write(Map.of("keys", all)));
                }
                default -> throw ApiException.methodNotAllowed("GET or POST");
            }
            return;
        }
        String id = rest.substring(1);
        if (id.isEmpty() || id.contains("/")) {
            throw ApiException.notFound("no such endpoint: " + method + " " + request.getHttpURI().getPath());
        }
        if (!method.equals("DELETE")) {
            throw ApiException.methodNotAllowed("DELETE");
        }
        if (!keys.delete(id)) {
            throw ApiException.notFound("access key " + id + " does not exist");
        }
        response.setStatus(204);
        Content.Sink.write(response, true, ByteBuffer.allocate(0));
    }

    private static Map<String, Object> view(AccessKeys.Key key) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("accessKeyId", key.accessKeyId());
        view.put("description", key.description());
        view.put("createdAt", key.createdAt().toString());
        return view;
    }
}
