package dev.cumulus.iam;

import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;

/**
 * The IAM REST API (docs/rest-api.md, docs/iam.md). Every endpoint authenticates its caller with
 * the {@link IamGuard} (any principal, not only root) and authorises the action on its resource
 * before acting; the route table is {@link #mounts()}, and each mount's {@code handle} is one
 * switch over method and path.
 *
 * <p>The project a request acts in is the {@code project} field (body or query) or the
 * {@code X-Cumulus-Project} header, else the caller's own ({@code default} for root); a
 * project-bound caller naming another project gets 403 (see {@link Guard#project}).
 *
 * <pre>
 * POST   /v1/projects                 root           {name, description?}
 * GET    /v1/projects                 any            root: all; others: their own
 * GET    /v1/projects/{name}          iam:GetProject
 * DELETE /v1/projects/{name}          root           409 while it holds anything
 * POST   /v1/api-keys                 iam:CreateApiKey  {project?, description?, policy|policies|admin, expiresAt?}
 * GET    /v1/api-keys                 iam:ListApiKeys
 * DELETE /v1/api-keys/{id}            iam:RevokeApiKey
 * POST   /v1/admins                    iam:CreateUser    {project?, name, password, policy|policies|admin}
 * GET    /v1/admins                    iam:ListUsers
 * DELETE /v1/admins/{name}             iam:DeleteUser
 * POST   /v1/login                    anyone         {project?, user, password} -> session token
 * POST   /v1/roles                    iam:CreateRole    {project?, name, description?, policy|policies}
 * GET    /v1/roles                    iam:ListRoles
 * GET    /v1/roles/{name}             iam:GetRole
 * PUT    /v1/roles/{name}/policies    iam:PutRolePolicy {policy|policies}
 * DELETE /v1/roles/{name}             iam:DeleteRole
 * GET    /v1/audit                    audit:Read        ?principal&action&outcome&from&to&limit
 * POST   /v1/policy/simulate          iam:SimulatePolicy {principal | policy|policies, action, resource, source?, time?}
 * </pre>
 */
public final class IamApi {
    public static final String PROJECT_HEADER = "X-Cumulus-Project";
    private static final String JSON = "application/json";

    private final Iam iam;
    private final IamGuard guard;
    private final Clock clock;

    public IamApi(Iam iam, IamGuard guard, Clock clock) {
        this.iam = iam;
        this.guard = guard;
        this.clock = clock;
    }

    /**
     * The route table. The router authenticates and authorises each route in the caller's own
     * project first (a coarse gate: may this principal do this IAM action at all); the handlers
     * then check the project the request names (body, query or header) and root-only actions.
     */
    public List<Route> routes() {
        return List.of(
                route(Route.post("/v1/projects"), "iam:CreateProject", "project", "/v1/projects", this::projects),
                route(Route.get("/v1/projects"), "iam:ListProjects", "project", "/v1/projects", this::projects),
                route(Route.get("/v1/projects/{name}"), "iam:GetProject", "project", "/v1/projects", this::projects),
                route(Route.delete("/v1/projects/{name}"), "iam:DeleteProject", "project", "/v1/projects", this::projects),
                route(Route.post("/v1/api-keys"), "iam:CreateApiKey", "api-keys/*", "/v1/api-keys", this::apiKeys),
                route(Route.get("/v1/api-keys"), "iam:ListApiKeys", "api-keys/*", "/v1/api-keys", this::apiKeys),
                route(Route.delete("/v1/api-keys/{id}"), "iam:RevokeApiKey", "api-keys/{id}", "/v1/api-keys",
                        this::apiKeys),
                route(Route.post("/v1/admins"), "iam:CreateUser", "users/*", "/v1/admins", this::users),
                route(Route.get("/v1/admins"), "iam:ListUsers", "users/*", "/v1/admins", this::users),
                route(Route.delete("/v1/admins/{name}"), "iam:DeleteUser", "users/{name}", "/v1/admins", this::users),
                Route.post("/v1/login").authorize("iam:Login", "iam", "session").publicAccess().handle(c -> login(new Call("/v1/login", c))),
                route(Route.post("/v1/roles"), "iam:CreateRole", "roles/*", "/v1/roles", this::roles),
                route(Route.get("/v1/roles"), "iam:ListRoles", "roles/*", "/v1/roles", this::roles),
                route(Route.get("/v1/roles/{name}"), "iam:GetRole", "roles/{name}", "/v1/roles", this::roles),
                route(Route.put("/v1/roles/{name}/policies"), "iam:PutRolePolicy", "roles/{name}", "/v1/roles",
                        this::roles),
                route(Route.delete("/v1/roles/{name}"), "iam:DeleteRole", "roles/{name}", "/v1/roles", this::roles),
                route(Route.get("/v1/audit"), "audit:Read", "audit", "/v1/audit", this::audit),
                route(Route.post("/v1/policy/simulate"), "iam:SimulatePolicy", "policy", "/v1/policy", this::policy));
    }

    private Route route(Route.Builder builder, String action, String resource, String prefix, Handler handler) {
        return builder.authorize(action, "iam", resource).handle(c -> handler.handle(new Call(prefix, c)));
    }

    // ---- projects

    private void projects(Call call) throws IOException {
        switch (call.route()) {
            case "POST /" -> {
                RequestBody body = call.body(Set.of("name", "description"));
                Caller caller = call.caller(null);
                String name = Projects.validName(body.requiredText("name"));
                requireRoot(caller, "iam:CreateProject", Crn.of("iam", name, "project"));
                Projects.Project created = iam.projects().create(name, body.text("description"));
                call.json(201, view(created));
            }
            case "GET /" -> {
                Caller caller = call.caller(null);
                List<Projects.Project> all = caller.who().isRoot() ? iam.projects().list()
                        : iam.projects().get(caller.who().project()).stream().toList();
                call.json(200, Map.of("projects", all.stream().map(IamApi::view).toList()));
            }
            case "GET /*" -> {
                Caller caller = call.caller(call.segment(0));
                authorizeElsewhere(caller, "iam:GetProject", Crn.of("iam", caller.project(), "project"), caller.facts());
                call.json(200, view(iam.projects().get(caller.project()).orElseThrow()));
            }
            case "DELETE /*" -> {
                Caller caller = call.caller(null);
                String name = Projects.validName(call.segment(0));
                requireRoot(caller, "iam:DeleteProject", Crn.of("iam", name, "project"));
                iam.projects().delete(name);
                call.noContent();
            }
            default -> call.noSuchEndpoint();
        }
    }

    // ---- API keys

    private void apiKeys(Call call) throws IOException {
        switch (call.route()) {
            case "POST /" -> {
                RequestBody body = call.body(Set.of("project", "description", "policy", "policies", "admin", "expiresAt"));
                Caller caller = call.caller(body.text("project"));
                List<Policy> policies = body.policies(caller.project());
                if (policies.isEmpty()) {
                    throw ApiException.badRequest("InvalidParameter",
                            "a key needs what it may do: policy, policies, or \"admin\": true");
                }
                Instant expiresAt = body.instant("expiresAt");
                authorizeElsewhere(caller, "iam:CreateApiKey", Crn.of("iam", caller.project(), "api-keys/*"),
                        caller.facts());
                ApiKeys.Created created = iam.apiKeys().create(caller.project(), body.text("description"), policies,
                        expiresAt);
                Map<String, Object> view = view(created.key());
                view.put("token", created.token());
                call.response().getHeaders().put("Cache-Control", "no-store");
                call.json(201, view);
            }
            case "GET /" -> {
                Caller caller = call.caller(call.query("project"));
                authorizeElsewhere(caller, "iam:ListApiKeys", Crn.of("iam", caller.project(), "api-keys/*"),
                        caller.facts());
                call.json(200, Map.of("keys", iam.apiKeys().list(caller.project()).stream().map(IamApi::view).toList()));
            }
            case "DELETE /*" -> {
                Caller caller = call.caller(call.query("project"));
                String id = call.segment(0);
                authorizeElsewhere(caller, "iam:RevokeApiKey", Crn.of("iam", caller.project(), "api-keys/" + id),
                        caller.facts());
                iam.apiKeys().revoke(caller.project(), id);
                call.noContent();
            }
            default -> call.noSuchEndpoint();
        }
    }

    // ---- admin users and their sessions

    private void users(Call call) throws IOException {
        switch (call.route()) {
            case "POST /" -> {
                RequestBody body = call.body(Set.of("project", "name", "password", "policy", "policies", "admin"));
                Caller caller = call.caller(body.text("project"));
                String name = AdminUsers.validName(body.requiredText("name"));
                List<Policy> policies = body.policies(caller.project());
                authorizeElsewhere(caller, "iam:CreateUser", Crn.of("iam", caller.project(), "users/" + name),
                        caller.facts());
                call.json(201, view(iam.users().create(caller.project(), name, body.requiredText("password"), policies)));
            }
            case "GET /" -> {
                Caller caller = call.caller(call.query("project"));
                authorizeElsewhere(caller, "iam:ListUsers", Crn.of("iam", caller.project(), "users/*"), caller.facts());
                call.json(200, Map.of("users", iam.users().list(caller.project()).stream().map(IamApi::view).toList()));
            }
            case "DELETE /*" -> {
                Caller caller = call.caller(call.query("project"));
                String name = AdminUsers.validName(call.segment(0));
                authorizeElsewhere(caller, "iam:DeleteUser", Crn.of("iam", caller.project(), "users/" + name),
                        caller.facts());
                iam.users().delete(caller.project(), name);
                call.noContent();
            }
            default -> call.noSuchEndpoint();
        }
    }

    private void login(Call call) throws IOException {
        if (!call.route().equals("POST /")) {
            call.noSuchEndpoint();
            return;
        }
        RequestBody body = call.body(Set.of("project", "user", "password"));
        String project = Projects.validName(Optional.ofNullable(body.text("project")).orElse(Projects.DEFAULT));
        String user = body.requiredText("user");
        Guard.Facts facts = call.facts();
        Crn resource = Crn.of("iam", project, "users/" + user.replace(':', '_'));
        Principal attempted = new Principal(Principal.Kind.USER, user, project);
        Optional<AdminUsers.Session> session = iam.users().login(project, user, body.requiredText("password"));
        if (session.isEmpty()) {
            iam.audit().record(attempted, "iam:Login", resource, AuditLog.Outcome.DENY, facts.source(),
                    "unknown user or wrong password");
            throw new ApiException(401, "Unauthorized", "unknown user or wrong password");
        }
        iam.audit().record(attempted, "iam:Login", resource, AuditLog.Outcome.ALLOW, facts.source(), "session opened");
        call.response().getHeaders().put("Cache-Control", "no-store");
        call.json(200, Map.of("token", session.get().token(), "project", project, "user", user,
                "expiresAt", session.get().expiresAt().toString()));
    }

    // ---- roles

    private void roles(Call call) throws IOException {
        switch (call.route()) {
            case "POST /" -> {
                RequestBody body = call.body(Set.of("project", "name", "description", "policy", "policies", "admin"));
                Caller caller = call.caller(body.text("project"));
                String name = Roles.validName(body.requiredText("name"));
                List<Policy> policies = body.policies(caller.project());
                authorizeElsewhere(caller, "iam:CreateRole", Crn.of("iam", caller.project(), "roles/" + name),
                        caller.facts());
                call.json(201, view(iam.roles().create(caller.project(), name, body.text("description"), policies)));
            }
            case "GET /" -> {
                Caller caller = call.caller(call.query("project"));
                authorizeElsewhere(caller, "iam:ListRoles", Crn.of("iam", caller.project(), "roles/*"), caller.facts());
                call.json(200, Map.of("roles", iam.roles().list(caller.project()).stream().map(IamApi::view).toList()));
            }
            case "GET /*" -> {
                Caller caller = call.caller(call.query("project"));
                String name = Roles.validName(call.segment(0));
                authorizeElsewhere(caller, "iam:GetRole", Crn.of("iam", caller.project(), "roles/" + name),
                        caller.facts());
                call.json(200, view(iam.roles().get(caller.project(), name).orElseThrow(
                        () -> ApiException.notFound("role " + name + " does not exist in project " + caller.project()))));
            }
            case "PUT /*/policies" -> {
                RequestBody body = call.body(Set.of("project", "policy", "policies", "admin"));
                Caller caller = call.caller(body.text("project"));
                String name = Roles.validName(call.segment(0));
                List<Policy> policies = body.policies(caller.project());
                authorizeElsewhere(caller, "iam:PutRolePolicy", Crn.of("iam", caller.project(), "roles/" + name),
                        caller.facts());
                call.json(200, view(iam.roles().setPolicies(caller.project(), name, policies)));
            }
            case "DELETE /*" -> {
                Caller caller = call.caller(call.query("project"));
                String name = Roles.validName(call.segment(0));
                authorizeElsewhere(caller, "iam:DeleteRole", Crn.of("iam", caller.project(), "roles/" + name),
                        caller.facts());
                iam.roles().delete(caller.project(), name);
                call.noContent();
            }
            default -> call.noSuchEndpoint();
        }
    }

    // ---- audit

    private void audit(Call call) throws IOException {
        if (!call.route().equals("GET /")) {
            call.noSuchEndpoint();
            return;
        }
        String requested = call.query("project");
        Caller caller = call.caller(requested);
        AuditLog.Query query = new AuditLog.Query()
                .principal(call.query("principal"))
                .action(call.query("action"))
                .from(instantQuery(call, "from"))
                .to(instantQuery(call, "to"))
                .limit(limitQuery(call));
        String outcome = call.query("outcome");
        if (outcome != null) {
            switch (outcome) {
                case "allow" -> query.outcome(AuditLog.Outcome.ALLOW);
                case "deny" -> query.outcome(AuditLog.Outcome.DENY);
                default -> throw ApiException.badRequest("InvalidParameter", "outcome is allow or deny: '" + outcome + "'");
            }
        }
        if (caller.who().isRoot()) {
            // root reads every project's lines unless it names one
            query.project(requested == null && call.requestedProject == null ? null : caller.project());
        } else {
            authorizeElsewhere(caller, "audit:Read", Crn.of("audit", caller.project(), "log"), caller.facts());
            query.project(caller.project());
        }
        List<Map<String, Object>> entries = iam.audit().read(query).stream().map(IamApi::view).toList();
        call.json(200, Map.of("entries", entries));
    }

    private static Instant instantQuery(Call call, String name) {
        String value = call.query(name);
        try {
            return value == null ? null : Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.badRequest("InvalidParameter", name + " is an ISO-8601 instant: '" + value + "'");
        }
    }

    private static int limitQuery(Call call) {
        String value = call.query("limit");
        if (value == null) {
            return 100;
        }
        if (!value.matches("[0-9]{1,4}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > AuditLog.MAX_LIMIT) {
            throw ApiException.badRequest("InvalidParameter", "limit is 1 to " + AuditLog.MAX_LIMIT + ": '" + value + "'");
        }
        return Integer.parseInt(value);
    }

    // ---- policy simulation

    private void policy(Call call) throws IOException {
        if (!call.route().equals("POST /simulate")) {
            call.noSuchEndpoint();
            return;
        }
        RequestBody body = call.body(Set.of("principal", "policy", "policies", "action", "resource", "source", "time"));
        String action = body.requiredText("action");
        if (!action.matches("[A-Za-z0-9-]{1,32}:[A-Za-z0-9]{1,64}")) {
            throw ApiException.badRequest("InvalidParameter", "action is service:Name, such as functions:Invoke: '"
                    + action + "'");
        }
        Crn resource;
        try {
            resource = Crn.parse(body.requiredText("resource"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("InvalidParameter", e.getMessage());
        }
        String principalText = body.text("principal");
        Principal subject = principalText == null ? null : IamGuard.parsePrincipal(principalText);
        // the project simulated in: the subject's (a principal acts in its own), else the resource's
        Caller caller = call.caller(subject == null ? resource.project() : subject.project());
        authorizeElsewhere(caller, "iam:SimulatePolicy", Crn.of("iam", caller.project(), "policy"), caller.facts());
        InetAddress source = caller.facts().source();
        String sourceText = body.text("source");
        if (sourceText != null) {
            try {
                source = InetAddress.ofLiteral(sourceText);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("InvalidParameter", "source is an IP address: '" + sourceText + "'");
            }
        }
        Instant time = Optional.ofNullable(body.instant("time")).orElse(caller.facts().time());
        Guard.Facts facts = new Guard.Facts(source, time);
        List<Policy> given = Policies.fromRequest(body.node());
        Decision decision;
        Map<String, Object> view = new LinkedHashMap<>();
        if (subject != null) {
            if (!given.isEmpty()) {
                throw ApiException.badRequest("InvalidParameter", "give principal or policy/policies, not both");
            }
            if (!caller.who().isRoot() && (subject.isRoot() || !subject.project().equals(caller.project()))) {
                throw IamGuard.accessDenied(caller.who() + " may simulate only principals of project " + caller.project());
            }
            decision = guard.decide(subject, action, resource, facts);
            view.put("principal", subject.toString());
        } else if (!given.isEmpty()) {
            decision = Evaluator.evaluate(given, action, resource, facts);
        } else {
            throw ApiException.badRequest("InvalidParameter", "principal (or policy/policies to try) is required");
        }
        view.put("action", action);
        view.put("resource", resource.toString());
        view.put("decision", decision.allowed() ? "allow" : "deny");
        view.put("policy", decision.policy());
        view.put("statement", decision.statement());
        view.put("explanation", decision.explain());
        call.json(200, view);
    }

    // ---- shared steps

    private void requireRoot(Caller caller, String action, Crn resource) {
        iam.requireRoot(caller.who(), action, resource, caller.facts().source(), "only root administers projects");
    }

    /**
     * Who calls, in which project, with which facts; {@code elsewhere} when the body or query
     * names another project than the one the router authorised the route in.
     */
    private record Caller(Principal who, String project, Guard.Facts facts, boolean elsewhere) {}

    /**
     * The handler's own check of an action on a resource in the caller's project: the router
     * asked the guard already for the request's project (and audited it), so this asks again only
     * when the body or query named another project; one request, one decision, one audit line.
     */
    private void authorizeElsewhere(Caller caller, String action, Crn resource, Guard.Facts facts) {
        if (caller.elsewhere()) {
            guard.authorize(caller.who(), action, resource, facts);
        }
    }

    private interface Handler {
        void handle(Call call) throws IOException;
    }

    /** One request to the IAM API. */
    private final class Call {
        private final Request request;
        private final Response response;
        private final String[] segments;
        private final String route;
        private Fields query;
        private Principal who;
        private Guard.Facts facts;
        /** The router's reading: the path's /v1/projects/{p} prefix, else the header. */
        private final String requestedProject;
        /** The project the router authorised the route in; null on a public route. */
        private final String routedProject;

        Call(String prefix, dev.cumulus.web.Call routed) {
            this(prefix, routed.request(), routed.response(), routed.requestedProject(), routed.project());
        }

        Call(String prefix, Request request, Response response, String requestedProject, String routedProject) {
            this.requestedProject = requestedProject;
            this.routedProject = routedProject;
            this.request = request;
            this.response = response;
            String path = request.getHttpURI().getPath();
            if (!prefix.equals("/v1/projects")) {
                // the router's /v1/projects/{p} prefix names the project; the route is what follows
                path = path.replaceFirst("^/v1/projects/[^/]+(?=/)", "/v1");
            }
            String rest = path.substring(prefix.length());
            if (rest.startsWith("/")) {
                rest = rest.substring(1);
            }
            this.segments = rest.isEmpty() ? new String[0] : rest.split("/", -1);
            // the route: method and path shape, e.g. "DELETE /*", "PUT /*/policies"
            StringBuilder shape = new StringBuilder(request.getMethod()).append(' ');
            if (segments.length == 0) {
                shape.append('/');
            }
            for (int i = 0; i < segments.length; i++) {
                shape.append('/').append(i == 1 && segments[i].equals("policies") ? "policies"
                        : i == 0 && segments[i].equals("simulate") ? "simulate" : "*");
            }
            this.route = shape.toString();
        }

        String route() {
            return route;
        }

        Response response() {
            return response;
        }

        String segment(int i) {
            if (segments[i].isEmpty()) {
                throw ApiException.notFound("no such endpoint: " + request.getMethod() + " " + request.getHttpURI().getPath());
            }
            return segments[i];
        }

        String header(String name) {
            return request.getHeaders().get(name);
        }

        String query(String name) {
            if (query == null) {
                query = Request.extractQueryParameters(request);
            }
            return query.getValue(name);
        }

        RequestBody body(Set<String> fields) throws IOException {
            return RequestBody.read(request, fields);
        }

        Guard.Facts facts() {
            if (facts == null) {
                InetAddress source = request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress r
                        ? r.getAddress() : null;
                facts = new Guard.Facts(source, clock.instant());
            }
            return facts;
        }

        /** The authenticated caller; 401 without a valid bearer credential. */
        Principal who() {
            if (who == null) {
                who = guard.bearer(request.getHeaders().get(HttpHeader.AUTHORIZATION), facts()).orElseThrow(
                        () -> new ApiException(401, "Unauthorized",
                                "a valid 'Authorization: Bearer <token>' header is required"));
            }
            return who;
        }

        /**
         * Authenticates the caller (401 without a valid bearer credential) and settles the
         * project: {@code named} (a body or query field), else the header, else the caller's own.
         */
        Caller caller(String named) {
            Principal who = who();
            String header = requestedProject;
            if (named != null && header != null && !named.equals(header)) {
                throw ApiException.badRequest("InvalidParameter", "the project '" + named + "' and the " + PROJECT_HEADER
                        + " header '" + header + "' differ");
            }
            String project = guard.project(who, named != null ? named : header);
            return new Caller(who, project, facts(), !project.equals(routedProject));
        }

        void json(int status, Object body) throws IOException {
            Exchange.write(response, status, JSON, Json.write(body));
        }

        void noContent() throws IOException {
            response.setStatus(204);
            Content.Sink.write(response, true, ByteBuffer.allocate(0));
        }

        void noSuchEndpoint() {
            throw ApiException.notFound("no such endpoint: " + request.getMethod() + " " + request.getHttpURI().getPath());
        }
    }

    // ---- views: what responses show (never a secret, a hash or a password)

    private static Map<String, Object> view(Projects.Project project) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", project.name());
        view.put("description", project.description());
        view.put("createdAt", project.createdAt().toString());
        return view;
    }

    private static Map<String, Object> view(ApiKeys.ApiKey key) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("keyId", key.id());
        view.put("project", key.project());
        view.put("description", key.description());
        view.put("createdAt", key.createdAt().toString());
        view.put("expiresAt", key.expiresAt() == null ? null : key.expiresAt().toString());
        view.put("revokedAt", key.revokedAt() == null ? null : key.revokedAt().toString());
        view.put("policies", Policies.view(key.policies()));
        return view;
    }

    private static Map<String, Object> view(AdminUsers.User user) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", user.name());
        view.put("project", user.project());
        view.put("createdAt", user.createdAt().toString());
        view.put("policies", Policies.view(user.policies()));
        return view;
    }

    private static Map<String, Object> view(Roles.Role role) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", role.name());
        view.put("project", role.project());
        view.put("description", role.description());
        view.put("createdAt", role.createdAt().toString());
        view.put("updatedAt", role.updatedAt().toString());
        view.put("policies", Policies.view(role.policies()));
        return view;
    }

    private static Map<String, Object> view(AuditLog.Entry entry) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", entry.id());
        view.put("project", entry.project());
        view.put("at", entry.at().toString());
        view.put("principal", entry.principal());
        view.put("action", entry.action());
        view.put("resource", entry.resource());
        view.put("outcome", entry.outcome().name().toLowerCase(java.util.Locale.ROOT));
        view.put("source", entry.source());
        view.put("detail", entry.detail());
        return view;
    }
}
