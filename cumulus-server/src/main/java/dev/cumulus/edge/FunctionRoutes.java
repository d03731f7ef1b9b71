package dev.cumulus.edge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.functions.Functions;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.FunctionUrlEvents;
import dev.cumulus.invoke.HttpExchanges;
import dev.cumulus.invoke.Invocation;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.logs.LogLine;
import dev.cumulus.logs.LogStore;
import dev.cumulus.registry.CodeRef;
import dev.cumulus.registry.FunctionArns;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionInfo;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.runtimeapi.RuntimeApiServer;
import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The REST API's own routes: code, functions, their versions, invocations, instances, logs and
 * usage under {@code /v1}, function URLs under {@code /fn}, and {@code /healthz}.
 */
final class FunctionRoutes {
    private static final String JSON = "application/json";
    private static final String FUNCTION = "{name}";
    private final EdgeApi api;
    private final byte[] healthy;
    private volatile boolean stopping;

    FunctionRoutes(EdgeApi api, byte[] healthy) {
        this.api = api;
        this.healthy = healthy;
    }

    /** Ends live log streams so a graceful stop does not wait on them. */
    void stopping() {
        stopping = true;
    }

    List<Route> routes() {
        return List.of(
                Route.get("/healthz").authorize("node:GetHealth", "node", "health").publicAccess()
                        .handle(call -> Exchange.write(call.response(), 200, JSON, healthy)),
                Route.post("/v1/code").authorize("code:Upload", "code", "*").handle(this::uploadCode),
                Route.get("/v1/functions").authorize("functions:List", "functions", "*").handle(this::list),
                Route.get("/v1/functions/{name}").authorize("functions:Get", "functions", FUNCTION).handle(this::get),
                Route.put("/v1/functions/{name}").authorize("functions:Put", "functions", FUNCTION).handle(this::put),
                Route.delete("/v1/functions/{name}").authorize("functions:Delete", "functions", FUNCTION)
                        .handle(this::delete),
                Route.post("/v1/functions/{name}/invoke")
                        .authorize("functions:Invoke", "functions", FUNCTION, FunctionRoutes::unqualified)
                        .handle(this::invoke),
                Route.get("/v1/functions/{name}/versions").authorize("functions:ListVersions", "functions", FUNCTION)
                        .handle(this::versions),
                Route.post("/v1/functions/{name}/versions").authorize("functions:PublishVersion", "functions", FUNCTION)
                        .handle(this::publish),
                Route.get("/v1/functions/{name}/instances").authorize("functions:ListInstances", "functions", FUNCTION)
                        .handle(this::instances),
                Route.get("/v1/functions/{name}/logs").authorize("functions:GetLogs", "functions", FUNCTION)
                        .handle(this::logs),
                Route.get("/v1/functions/{name}/invocations").authorize("functions:ListInvocations", "functions", FUNCTION)
                        .handle(this::invocations),
                Route.get("/v1/usage").authorize("usage:Get", "usage", "*").handle(this::usage),
                // public when the function's urlAuth says so (none, or user: an end user's token the
                // handler checks); otherwise the handler demands a principal
                Route.any("/fn/{name}").authorize("functions:InvokeUrl", "functions", FUNCTION).publicAccess()
                        .handle(this::functionUrl),
                Route.any("/fn/{name}/{path+}").authorize("functions:InvokeUrl", "functions", FUNCTION).publicAccess()
                        .handle(this::functionUrl));
    }

    /** {@code NAME:QUALIFIER} names the function NAME. */
    private static String unqualified(Call call) {
        String name = call.param("name");
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    /** The functions of the request's project: no handler reaches another project's. */
    private FunctionRegistry registry(Call call) {
        return api.registry().project(call.project());
    }

    private FunctionInfo requireFunction(Call call, String name) {
        return registry(call).get(name).orElseThrow(() -> notFound(name));
    }

    private static ApiException notFound(String name) {
        return ApiException.notFound("function " + name + " does not exist");
    }

    private void uploadCode(Call call) throws IOException {
        Request request = call.request();
        long declared = request.getLength();
        if (declared > api.maxCodeBytes()) {
            throw ApiException.tooLarge("code packages are limited to " + api.maxCodeBytes() + " bytes");
        }
        CodeRef ref;
        try (InputStream in = Exchange.body(request, api.maxCodeBytes())) {
            ref = api.registry().storeCode(in, api.maxCodeBytes());
        } catch (java.io.UncheckedIOException e) {
            // what the body stream threw (a slow, oversized or vanished client) is answered as such
            throw e.getCause();
        }
        call.json(201, Views.Code.of(ref));
    }

    private void list(Call call) throws IOException {
        List<Views.Function> all = registry(call).list().stream()
                .map(f -> Views.Function.of(f, api.scheduler().counts(call.project(), f.name()))).toList();
        call.json(200, Map.of("functions", all));
    }

    private void get(Call call) throws IOException {
        String name = call.param("name");
        FunctionInfo info = requireFunction(call, name);
        call.json(200, Views.Function.of(info, api.scheduler().counts(call.project(), name)));
    }

    private void put(Call call) throws IOException {
        String name = call.param("name");
        JsonNode body = Json.parseObject(Exchange.readBody(call.request(), 1024 * 1024));
        FunctionConfig current = registry(call).get(name).map(FunctionInfo::config).orElse(null);
        FunctionConfig config = FunctionSettings.apply(name, body, current);
        Functions.Deployed deployed = api.functions().deploy(call.project(), config, FunctionSettings.codeSha256(body),
                FunctionSettings.codeSignature(body), new Functions.Caller(call.principal(), call.facts()));
        Exchange.write(call.response(), deployed.created() ? 201 : 200, JSON,
                Json.write(Views.Function.of(deployed.info(), api.scheduler().counts(call.project(), name))));
    }

    private void delete(Call call) throws IOException {
        api.functions().delete(call.project(), call.param("name"), booleanParam(call, "cascade"));
        call.noContent();
    }

    private void publish(Call call) throws IOException {
        FunctionVersion version = api.functions().publish(call.project(), call.param("name"));
        call.json(201, Views.Version.of(version));
    }

    private void versions(Call call) throws IOException {
        String name = call.param("name");
        requireFunction(call, name);
        List<Views.Version> list = registry(call).versions(name).stream().map(Views.Version::of).toList();
        call.json(200, Map.of("versions", list));
    }

    private void instances(Call call) throws IOException {
        String name = call.param("name");
        requireFunction(call, name);
        call.json(200, Map.of("instances", api.scheduler().instances(call.project(), name)));
    }

    private void invocations(Call call) throws IOException {
        Fields query = Request.extractQueryParameters(call.request());
        call.json(200, api.async().recent(call.project(), call.param("name"),
                intParam(query, "limit", 100, 1, 1000), query.getValue("state")));
    }

    private void invoke(Call call) throws Exception {
        Request request = call.request();
        Response response = call.response();
        String qualifiedName = call.param("name");
        String type = request.getHeaders().get("X-Cumulus-Invocation-Type");
        if ("Event".equals(type)) {
            // stored durably before the 202; delivered later with retries (dev.cumulus.async)
            byte[] event = Exchange.readBody(request, AsyncInvoker.MAX_EVENT_BYTES);
            AsyncInvoker.Accepted accepted = api.async().submit(new AsyncInvoker.Event(qualifiedName, event,
                    request.getHeaders().get("X-Cumulus-Idempotency-Key"), null, null, null).inProject(call.project()));
            response.getHeaders().put("X-Cumulus-Request-Id", accepted.requestId());
            Exchange.write(response, 202, JSON, Json.write(Map.of(
                    "requestId", accepted.requestId(), "duplicate", accepted.duplicate())));
            return;
        }
        if (type != null && !type.equals("RequestResponse")) {
            throw ApiException.badRequest("InvalidParameter",
                    "X-Cumulus-Invocation-Type must be RequestResponse or Event, got '" + type + "'");
        }
        byte[] event = Exchange.readBody(request, RuntimeApiServer.MAX_PAYLOAD_BYTES);
        Json.requireJson(event);
        call.answerLater(api.invoker().start(dev.cumulus.invoke.Call.to(call.project(), qualifiedName)
                .trigger(dev.cumulus.invoke.Call.Trigger.REST_API).payload(event).build()), FunctionRoutes::answerInvoke);
    }

    private static void answerInvoke(Invocation result, Response response, Callback done) {
        var headers = response.getHeaders();
        headers.put("X-Cumulus-Request-Id", result.requestId());
        headers.put("X-Cumulus-Cold-Start", Boolean.toString(result.coldStart()));
        headers.put("X-Cumulus-Billed-Ms", Long.toString(result.billedMs()));
        headers.put("X-Cumulus-Executed-Version", result.version());
        if (result.failed()) {
            headers.put("X-Cumulus-Function-Error", "Unhandled");
        }
        Exchange.write(response, 200, JSON, result.payload(), done);
    }

    private void functionUrl(Call call) throws Exception {
        Request request = call.request();
        Response response = call.response();
        String name = call.param("name");
        String rawPath = call.rawTail() == null ? "/" : call.rawTail();
        // a function URL serves the function of the project the request names (the
        // X-Cumulus-Project header), else of the default project; a caller of one that is not
        // public must act in that same project
        String project = call.requestedProject() != null ? call.requestedProject() : FunctionArns.DEFAULT_PROJECT;
        FunctionVersion version;
        try {
            version = api.registry().project(project).resolve(name, null);
        } catch (ApiException unknown) {
            // a stranger learns nothing: a missing function is a 401 like a private one, and a
            // 404 only for whoever may see the function anyway
            call.authorize();
            throw unknown;
        }
        FunctionConfig.UrlAuth auth = version.config().urlAuth();
        Map<String, Object> user = null;
        switch (auth) {
            case TOKEN -> {
                call.authorize();
                if (!project.equals(call.project())) {
                    throw notFound(name);
                }
            }
            case USER -> {
                // checked before the body is read or any instance starts; written here rather
                // than thrown, so that WWW-Authenticate reaches the client
                user = api.endUsers().claims(project, request.getHeaders().get(HttpHeader.AUTHORIZATION)).orElse(null);
                if (user == null) {
                    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
                    Exchange.write(response, 401, JSON, Json.write(Map.of("error", "Unauthorized", "message",
                            "this function URL needs an end user's valid access token: 'Authorization: Bearer "
                                    + "<accessToken>' from /v1/projects/" + project + "/auth/login")));
                    return;
                }
            }
            case NONE -> { }
        }
        byte[] body = Exchange.readBody(request, RuntimeApiServer.MAX_PAYLOAD_BYTES);
        // the node's own token never reaches a function; an end user's is theirs to show (as API Gateway does)
        var http = HttpExchanges.request(request, rawPath, body, auth != FunctionConfig.UrlAuth.TOKEN);
        Map<String, Object> caller = user;
        call.answerLater(api.invoker().start(dev.cumulus.invoke.Call.to(version)
                .trigger(dev.cumulus.invoke.Call.Trigger.FUNCTION_URL)
                .payload(requestId -> FunctionUrlEvents.withJwtAuthorizer(
                        FunctionUrlEvents.toEvent(http, name, requestId, api.clock().instant()), caller))
                .cognitoIdentity(FunctionUrlEvents.cognitoIdentity(project, caller))
                .build()), (result, answer, done) -> {
                    String requestId = result.requestId();
                    answer.getHeaders().put("X-Cumulus-Request-Id", requestId);
                    if (result.failed()) {
                        HttpExchanges.writeFunctionError(answer, requestId, result, done);
                    } else {
                        HttpExchanges.write(answer, HttpExchanges.scopeCookies(
                                FunctionUrlEvents.toResponse(result.payload()), "/fn/" + name + "/"), done);
                    }
                });
    }

    private void logs(Call call) throws Exception {
        Request request = call.request();
        Response response = call.response();
        String name = call.param("name");
        requireFunction(call, name);
        String project = call.project();
        Fields query = Request.extractQueryParameters(request);
        int limit = intParam(query, "limit", 100, 1, 10_000);
        boolean follow = "true".equals(query.getValue("follow"));
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/x-ndjson");
        if (!follow) {
            StringBuilder out = new StringBuilder();
            for (LogLine line : api.logs().tail(project, name, limit)) {
                out.append(new String(Json.write(logView(line)), StandardCharsets.UTF_8)).append('\n');
            }
            Exchange.writeText(response, 200, "application/x-ndjson", out.toString());
            return;
        }
        var gone = new java.util.concurrent.atomic.AtomicBoolean();
        request.addFailureListener(failure -> gone.set(true));
        try (LogStore.Follower follower = api.logs().follow(project, name)) {
            for (LogLine line : api.logs().tail(project, name, limit)) {
                writeLine(response, line);
            }
            Content.Sink.write(response, false, ByteBuffer.allocate(0)); // commit headers so clients see the stream
            while (!gone.get() && !stopping && !Thread.currentThread().isInterrupted()) {
                LogLine line = follower.poll(1_000);
                if (line != null) {
                    writeLine(response, line);
                }
            }
        }
    }

    private static void writeLine(Response response, LogLine line) throws IOException {
        byte[] json = Json.write(logView(line));
        ByteBuffer buffer = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
        Content.Sink.write(response, false, buffer);
    }

    private static Map<String, Object> logView(LogLine line) {
        var view = new LinkedHashMap<String, Object>();
        view.put("time", line.time().toString());
        view.put("requestId", line.requestId());
        view.put("instanceId", line.instanceId());
        view.put("line", line.line());
        return view;
    }

    private void usage(Call call) throws IOException {
        Fields query = Request.extractQueryParameters(call.request());
        Instant from = instantParam(query, "from", Instant.EPOCH);
        Instant to = instantParam(query, "to", api.clock().instant().plusSeconds(1));
        if (!from.isBefore(to)) {
            throw ApiException.badRequest("InvalidParameter", "'from' must be before 'to'");
        }
        api.flushMetering().run(); // read-your-writes: usage includes every invocation answered so far
        call.json(200, Views.Usage.of(from, to, api.usage().byFunction(call.project(), from, to)));
    }

    private static int intParam(Fields query, String name, int fallback, int min, int max) {
        String value = query.getValue(name);
        if (value == null) return fallback;
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("InvalidParameter", "'" + name + "' must be a whole number from " + min + " to " + max);
    }

    private static boolean booleanParam(Call call, String name) {
        String value = call.query(name);
        if (value == null || value.equals("false")) return false;
        if (value.equals("true")) return true;
        throw ApiException.badRequest("InvalidParameter", "'" + name + "' must be true or false, got '" + value + "'");
    }

    private static Instant instantParam(Fields query, String name, Instant fallback) {
        String value = query.getValue(name);
        if (value == null || value.isBlank()) return fallback;
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("InvalidParameter", "'" + name + "' must be an ISO-8601 instant such as 2026-11-27T00:00:00Z");
        }
    }
}
