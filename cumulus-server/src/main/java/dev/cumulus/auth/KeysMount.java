package dev.cumulus.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.iam.IamGuard;
import dev.cumulus.iam.Policies;
import dev.cumulus.iam.Policy;
import dev.cumulus.iam.Projects;
import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/keys}: create, list and delete access keys. A key belongs to a project (the body's
 * {@code project}, else the request's) and carries policies (docs/iam.md); a key created without
 * any is an admin of its project, what every access key was before policies (ADR 0023), and the
 * response shows the policy it got. A principal bound to a project manages only that project's keys.
 */
public final class KeysMount {
    private static final java.util.Set<String> FIELDS = java.util.Set.of("description", "project", "policy", "policies",
            "expiresAt");
    private final AccessKeys keys;
    private final Projects projects;

    public KeysMount(AccessKeys keys, Projects projects) {
        this.keys = keys;
        this.projects = projects;
    }

    public List<Route> routes() {
        return List.of(
                Route.post("/v1/keys").authorize("iam:CreateAccessKey", "iam", "access-key/*").handle(this::create),
                Route.get("/v1/keys").authorize("iam:ListAccessKeys", "iam", "access-key/*").handle(this::list),
                Route.delete("/v1/keys/{id}").authorize("iam:DeleteAccessKey", "iam", "access-key/{id}")
                        .handle(this::delete));
    }

    private void create(Call call) throws IOException {
        byte[] body = Exchange.readBody(call.request(), 256 * 1024);
        JsonNode node = body.length > 0 ? Json.parseObject(body) : Json.MAPPER.createObjectNode();
        for (var field : node.properties()) {
            if (!FIELDS.contains(field.getKey())) {
                throw ApiException.badRequest("InvalidParameter", "unknown field '" + field.getKey() + "'");
            }
        }
        String description = optionalText(node, "description");
        String named = optionalText(node, "project");
        String project = named == null ? call.project() : Projects.validName(named);
        requireOwn(call, project);
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
        call.response().getHeaders().put("Cache-Control", "no-store");
        call.json(201, view);
    }

    private void list(Call call) throws IOException {
        String named = call.query("project");
        String project = named == null ? call.project() : named;
        requireOwn(call, project);
        call.json(200, Map.of("keys", keys.list(project).stream().map(KeysMount::view).toList()));
    }

    private void delete(Call call) throws IOException {
        String id = call.param("id");
        AccessKeys.Key key = keys.key(id).orElse(null);
        // another project's key is as unknown as a key that does not exist
        if (key == null || (!call.principal().isRoot() && !key.project().equals(call.project()))
                || !keys.delete(id)) {
            throw ApiException.notFound("access key " + id + " does not exist");
        }
        call.noContent();
    }

    private static void requireOwn(Call call, String project) {
        if (!call.principal().isRoot() && !project.equals(call.project())) {
            throw IamGuard.accessDenied(call.principal() + " manages only the keys of project " + call.project());
        }
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
