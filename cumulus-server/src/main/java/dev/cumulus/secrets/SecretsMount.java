package dev.cumulus.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Mount;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * A function's secrets, with the root token, in the default project:
 * <ul>
 *   <li>{@code PUT /v1/functions/{name}/secrets/{KEY}} with {@code {"value": "..."}}: set, 204</li>
 *   <li>{@code GET /v1/functions/{name}/secrets}: names and times, never values</li>
 *   <li>{@code DELETE /v1/functions/{name}/secrets/{KEY}}: remove, 204</li>
 * </ul>
 * It owns only those paths under {@code /v1/functions/} (see {@link #owns}); the rest stay the edge's.
 */
public final class SecretsMount implements Mount {
    private static final String JSON = "application/json";
    private static final Pattern PATH = Pattern.compile("/v1/functions/([^/]+)/secrets(?:/([^/]+))?/?");
    private static final int MAX_BODY_BYTES = FunctionSecrets.MAX_VALUE_BYTES * 2 + 1024;

    private final FunctionSecrets secrets;
    private final String project;

    public SecretsMount(FunctionSecrets secrets, String project) {
        this.secrets = secrets;
        this.project = project;
    }

    @Override
    public String prefix() {
        return "/v1/functions/";
    }

    @Override
    public boolean owns(String path) {
        return PATH.matcher(path).matches();
    }

    @Override
    public Access access() {
        return Access.ADMIN;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        Matcher m = PATH.matcher(request.getHttpURI().getPath());
        if (!m.matches()) {
            throw ApiException.notFound("no such endpoint: " + request.getHttpURI().getPath());
        }
        String function = m.group(1);
        String key = m.group(2);
        String method = request.getMethod();
        if (key == null) {
            if (!method.equals("GET")) {
                throw ApiException.methodNotAllowed("GET");
            }
            List<Map<String, Object>> all = secrets.list(project, function).stream().map(SecretsMount::view).toList();
            Exchange.write(response, 200, JSON, Json.write(Map.of("secrets", all)));
            return;
        }
        switch (method) {
            case "PUT" -> secrets.put(project, function, key, value(Exchange.readBody(request, MAX_BODY_BYTES)));
            case "DELETE" -> {
                if (!secrets.delete(project, function, key)) {
                    throw ApiException.notFound("function " + function + " has no secret " + key);
                }
            }
            default -> throw ApiException.methodNotAllowed("PUT or DELETE");
        }
        response.setStatus(204);
        Content.Sink.write(response, true, ByteBuffer.allocate(0));
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
