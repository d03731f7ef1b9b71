package dev.cumulus.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.iam.IamApi;
import dev.cumulus.iam.Policies;
import dev.cumulus.iam.Policy;
import dev.cumulus.iam.Projects;
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

/**
 * {@code /v1/keys}: create, list and delete access keys, with the root token. A key belongs to a
 * project ({@code default} unless the body, the query or the {@code X-Cumulus-Project} header
 * names one) and carries policies (docs/iam.md); a key
 * created without any is an admin of its project, what every access key was before policies
 * (ADR 0023), and the response shows the policy it got.
 */
public final class KeysMount implements Mount {
    private static final String JSON = "application/json";
    private static final java.util.Set<String> FIELDS = java.util.Set.of("description", "project", "policy", "policies",
            "expiresAt");
    private final AccessKeys keys;
    private final Projects projects;

    public KeysMount(AccessKeys keys, Projects projects) {
        this.keys = keys;
        this.projects = projects;
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
                    byte[] body = Exchange.readBody(request, 256 * 1024);
                    JsonNode node = body.length > 0 ? Json.parseObject(body) : Json.MAPPER.createObjectNode();
                    for (var field : node.properties()) {
                        if (!FIELDS.contains(field.getKey())) {
                            throw ApiException.badRequest("InvalidParameter", "unknown field '" + field.getKey() + "'");
                        }
                    }
                    String description = optionalText(node, "description");
                    String project = optionalText(node, "project");
                    if (project == null) {
                        project = request.getHeaders().get(IamApi.PROJECT_HEADER);
                    }
                    project = project == null ? Projects.DEFAULT : Projects.validName(project);
                    if (projects.get(project).isEmpty()) {
                        throw ApiException.notFound("project " + project + " does not exist");
                    }
                    List<Policy> policies = Policies.fromRequest(node);
                    if (policies.isEmpty()) {
                        policies = List.of(Policy.admin(project));
                    }
                    String expires = optionalText(node, "expiresAt");
                    java.time.Instant expiresAt;
                    try {
                        expiresAt = expires == null ? null : java.time.Instant.parse(expires);
                    } catch (java.time.format.DateTimeParseException e) {
                        throw ApiException.badRequest("InvalidParameter", "expiresAt is an ISO-8601 instant: '" + expires + "'");
                    }
                    AccessKeys.Created created = keys.create(project, description, Policies.toJson(policies), expiresAt);
                    Map<String, Object> view = view(created.key());
                    view.put("secretAccessKey", created.secretAccessKey());
                    Exchange.write(response, 201, JSON, Json.write(view));
                }
                case "GET" -> {
                    String project = Request.extractQueryParameters(request).getValue("project");
                    if (project == null) {
                        project = request.getHeaders().get(IamApi.PROJECT_HEADER);
                    }
                    List<Map<String, Object>> all = keys.list(project).stream().map(KeysMount::view).toList();
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
        view.put("project", key.project());
        view.put("description", key.description());
        view.put("createdAt", key.createdAt().toString());
        if (key.expiresAt() != null) {
            view.put("expiresAt", key.expiresAt().toString());
        }
        view.put("policies", Policies.view(Policies.fromJson(key.policies())));
        return view;
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value != null && !value.isNull() && !value.isTextual()) {
            throw ApiException.badRequest("InvalidParameter", field + " must be a string");
        }
        return value == null || value.isNull() ? null : value.asText();
    }
}
