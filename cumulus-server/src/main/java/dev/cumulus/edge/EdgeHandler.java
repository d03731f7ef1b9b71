package dev.cumulus.edge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.Call;
import dev.cumulus.invoke.FunctionUrlEvents;
import dev.cumulus.invoke.HttpExchanges;
import dev.cumulus.invoke.Invocation;
import dev.cumulus.logs.LogLine;
import dev.cumulus.logs.LogStore;
import dev.cumulus.registry.CodeRef;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionInfo;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.runtimeapi.RuntimeApiServer;
import dev.cumulus.scheduler.ThrottledException;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Mount;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.Invocable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes edge requests. Every refusal is an {@link ApiException} turned into
 * {@code {"error", "message"}} here; anything else that escapes is logged and answers 500
 * without internals.
 */
final class EdgeHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeHandler.class);
    private static final String JSON = "application/json";
    private final EdgeApi api;
    private final Admission admission;
    private final byte[] healthy;
    /** {@code none} on a node whose functions run unisolated, else null: no header at all. */
    private final String sandboxWarning;
    private volatile boolean stopping;

    EdgeHandler(EdgeApi api, Admission admission, String sandbox, boolean isolated) {
        super(Invocable.InvocationType.BLOCKING);
        this.api = api;
        this.admission = admission;
        this.sandboxWarning = isolated ? null : "none";
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", "ok");
        health.put("sandbox", sandbox);
        if (!isolated) {
            health.put("warning", "functions run as plain processes of the node, NOT isolated (sandbox mode "
                    + "none-i-trust-all-code)");
        }
        this.healthy = Json.write(health);
    }

    /** Ends live log streams so a graceful stop does not wait on them. */
    void stopping() {
        stopping = true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        warnUnisolated(response);
        String path = request.getHttpURI().getPath();
        Mount mount = mountFor(path);
        Admission.Ticket ticket;
        try {
            ticket = admission.admit(traffic(mount, path), clientAddress(request));
        } catch (Admission.Refused e) {
            respondError(request, response, callback, e.status(), e.code(), e.getMessage(), "1");
            return true;
        }
        try (ticket) {
            handleAdmitted(request, response, callback, mount);
        }
        return true;
    }

    private void handleAdmitted(Request request, Response response, Callback callback, Mount mount) {
        try {
            route(request, response, mount);
            callback.succeeded();
        } catch (ApiException e) {
            respondError(request, response, callback, e.status(), e.code(), e.getMessage(), null, e.details());
        } catch (ThrottledException e) {
            respondError(request, response, callback, 429, "TooManyRequests", e.getMessage(),
                    Long.toString(Math.max(1, e.retryAfter().toSeconds())));
        } catch (Exchange.BodyTooLargeException e) {
            respondError(request, response, callback, 413, "PayloadTooLarge", "the body is larger than " + e.limit() + " bytes", null);
        } catch (Exchange.BodyTimeoutException e) {
            respondError(request, response, callback, 408, "RequestTimeout", e.getMessage(), null);
        } catch (EofException e) {
            callback.failed(e); // the client left; nobody to answer, nothing to report
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respondError(request, response, callback, 503, "ShuttingDown", "the node is shutting down", null);
        } catch (Throwable e) {
            LOG.error("unexpected failure on {} {}", request.getMethod(), request.getHttpURI().getPath(), e);
            respondError(request, response, callback, 500, "InternalError", "the node failed to handle the request", null);
        }
    }

    /** The mount owning {@code path}, the longest prefix first; null for the edge's own paths. */
    private Mount mountFor(String path) {
        for (Mount mount : api.mounts()) {
            if (Mount.matches(mount.prefix(), path) && mount.owns(path)) {
                return mount;
            }
        }
        return null;
    }

    private static Admission.Traffic traffic(Mount mount, String path) {
        if (mount != null) {
            return mount.access() == Mount.Access.PUBLIC ? Admission.Traffic.PUBLIC : Admission.Traffic.ADMIN;
        }
        if (path.startsWith("/fn/")) {
            return Admission.Traffic.PUBLIC;
        }
        return path.startsWith("/v1/") ? Admission.Traffic.ADMIN : Admission.Traffic.FREE;
    }

    private static InetAddress clientAddress(Request request) {
        return request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress remote
                ? remote.getAddress() : InetAddress.getLoopbackAddress();
    }

    private void respondError(Request request, Response response, Callback callback, int status, String code,
            String message, String retryAfter) {
        respondError(request, response, callback, status, code, message, retryAfter, Map.of());
    }

    private void respondError(Request request, Response response, Callback callback, int status, String code,
            String message, String retryAfter, Map<String, Object> details) {
        if (response.isCommitted()) {
            callback.failed(new IOException(code + ": " + message));
            return;
        }
        try {
            response.reset();
            warnUnisolated(response);
            if (!request.consumeAvailable()) {
                // a refused request's unread body would be taken for the next request: say the
                // connection ends here, so clients do not reuse it and fail on the next call
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            if (retryAfter != null) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, retryAfter);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", code);
            body.put("message", message);
            body.putAll(details);
            Exchange.write(response, status, JSON, Json.write(body));
            callback.succeeded();
        } catch (Throwable e) {
            callback.failed(e);
        }
    }

    private void warnUnisolated(Response response) {
        if (sandboxWarning != null) {
            response.getHeaders().put(EdgeServer.SANDBOX_HEADER, sandboxWarning);
        }
    }

    private void route(Request request, Response response, Mount mount) throws Exception {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        if (hasDotSegment(path)) {
            // Jetty refuses encoded ones ("%2e%2e") itself but hands plain ones through as they
            // are: a greedy route parameter or a function URL's path would carry "../" on
            throw ApiException.badRequest("InvalidPath", "the path has a dot segment ('.' or '..'): send it resolved");
        }
        if (mount != null) {
            if (mount.access() == Mount.Access.ADMIN) {
                authenticate(request);
            }
            mount.handle(request, response);
            return;
        }
        if (path.equals("/healthz")) {
            Exchange.write(response, 200, JSON, healthy);
        } else if (path.startsWith("/fn/")) {
            functionUrl(request, response, path.substring(4));
        } else if (path.startsWith("/v1/")) {
            authenticate(request);
            controlPlane(request, response, method, path.substring(4).split("/", -1));
        } else {
            throw ApiException.notFound("no such endpoint: " + method + " " + path);
        }
    }

    static boolean hasDotSegment(String path) {
        if (path.indexOf('.') < 0) {
            return false; // nearly every request: no split on the path of each one
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    private void authenticate(Request request) {
        if (!api.token().accepts(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
            throw new ApiException(401, "Unauthorized", "a valid 'Authorization: Bearer <token>' header is required");
        }
    }

    private void controlPlane(Request request, Response response, String method, String[] p) throws Exception {
        if (p.length == 1 && p[0].equals("code")) {
            requireMethod(method, "POST");
            uploadCode(request, response);
        } else if (p.length == 1 && p[0].equals("functions")) {
            requireMethod(method, "GET");
            List<Views.Function> all = api.registry().list().stream()
                    .map(f -> Views.Function.of(f, api.scheduler().counts(f.name()))).toList();
            Exchange.write(response, 200, JSON, Json.write(Map.of("functions", all)));
        } else if (p.length == 2 && p[0].equals("functions")) {
            function(request, response, method, p[1]);
        } else if (p.length == 3 && p[0].equals("functions")) {
            switch (p[2]) {
                case "invoke" -> {
                    requireMethod(method, "POST");
                    invoke(request, response, p[1]);
                }
                case "versions" -> versions(response, method, p[1]);
                case "instances" -> {
                    requireMethod(method, "GET");
                    requireFunction(p[1]);
                    Exchange.write(response, 200, JSON,
                            Json.write(Map.of("instances", api.scheduler().instances(p[1]))));
                }
                case "logs" -> {
                    requireMethod(method, "GET");
                    logs(request, response, p[1]);
                }
                case "invocations" -> {
                    requireMethod(method, "GET");
                    Fields query = Request.extractQueryParameters(request);
                    Exchange.write(response, 200, JSON, Json.write(api.async().recent(p[1],
                            intParam(query, "limit", 100, 1, 1000), query.getValue("state"))));
                }
                default -> throw ApiException.notFound("no such endpoint: /v1/" + String.join("/", p));
            }
        } else if (p.length == 1 && p[0].equals("usage")) {
            requireMethod(method, "GET");
            usage(request, response);
        } else {
            throw ApiException.notFound("no such endpoint: /v1/" + String.join("/", p));
        }
    }

    private FunctionInfo requireFunction(String name) {
        return api.registry().get(name).orElseThrow(() -> notFound(name));
    }

    private static ApiException notFound(String name) {
        return ApiException.notFound("function " + name + " does not exist");
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw ApiException.methodNotAllowed(allowed);
        }
    }

    private void uploadCode(Request request, Response response) throws IOException {
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
        Exchange.write(response, 201, JSON, Json.write(Views.Code.of(ref)));
    }

    private void function(Request request, Response response, String method, String name) throws IOException {
        switch (method) {
            case "GET" -> {
                FunctionInfo info = requireFunction(name);
                Exchange.write(response, 200, JSON, Json.write(Views.Function.of(info, api.scheduler().counts(name))));
            }
            case "PUT" -> {
                JsonNode body = Json.parseObject(Exchange.readBody(request, 1024 * 1024));
                FunctionConfig current = api.registry().get(name).map(FunctionInfo::config).orElse(null);
                FunctionConfig config = FunctionSettings.apply(name, body, current);
                api.async().checkSettings(config);
                FunctionInfo info = api.registry().put(config, FunctionSettings.codeSha256(body));
                api.scheduler().retireStaleLatest(name, info.revision());
                api.scheduler().provision(api.registry().resolve(name, null));
                Exchange.write(response, current == null ? 201 : 200, JSON,
                        Json.write(Views.Function.of(info, api.scheduler().counts(name))));
            }
            case "DELETE" -> {
                api.deletion().delete(name, booleanParam(Request.extractQueryParameters(request), "cascade"));
                response.setStatus(204);
                Content.Sink.write(response, true, ByteBuffer.allocate(0));
            }
            default -> throw ApiException.methodNotAllowed("GET, PUT or DELETE");
        }
    }

    private void versions(Response response, String method, String name) throws IOException {
        switch (method) {
            case "POST" -> {
                FunctionVersion version = api.registry().publish(name);
                Exchange.write(response, 201, JSON, Json.write(Views.Version.of(version)));
            }
            case "GET" -> {
                requireFunction(name);
                List<Views.Version> list = api.registry().versions(name).stream().map(Views.Version::of).toList();
                Exchange.write(response, 200, JSON, Json.write(Map.of("versions", list)));
            }
            default -> throw ApiException.methodNotAllowed("GET or POST");
        }
    }

    private void invoke(Request request, Response response, String qualifiedName) throws Exception {
        String type = request.getHeaders().get("X-Cumulus-Invocation-Type");
        if ("Event".equals(type)) {
            // stored durably before the 202; delivered later with retries (dev.cumulus.async)
            byte[] event = Exchange.readBody(request, AsyncInvoker.MAX_EVENT_BYTES);
            AsyncInvoker.Accepted accepted = api.async().submit(new AsyncInvoker.Event(qualifiedName, event,
                    request.getHeaders().get("X-Cumulus-Idempotency-Key"), null, null, null));
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
        Invocation result = api.invoker().invoke(Call.to(api.registry().project(), qualifiedName)
                .trigger(Call.Trigger.REST_API).payload(event).build());
        var headers = response.getHeaders();
        headers.put("X-Cumulus-Request-Id", result.requestId());
        headers.put("X-Cumulus-Cold-Start", Boolean.toString(result.coldStart()));
        headers.put("X-Cumulus-Billed-Ms", Long.toString(result.billedMs()));
        headers.put("X-Cumulus-Executed-Version", result.version());
        if (result.failed()) {
            headers.put("X-Cumulus-Function-Error", "Unhandled");
        }
        Exchange.write(response, 200, JSON, result.payload());
    }

    private void functionUrl(Request request, Response response, String rest) throws Exception {
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        String rawPath = slash < 0 ? "/" : rest.substring(slash);
        FunctionVersion version;
        try {
            version = api.registry().resolve(name, null);
        } catch (ApiException unknown) {
            // a stranger learns nothing: a missing function is a 401 like a private one, and a
            // 404 only for whoever may see the function list anyway
            authenticate(request);
            throw unknown;
        }
        if (!version.config().publicUrl()) {
            authenticate(request);
        }
        byte[] body = Exchange.readBody(request, RuntimeApiServer.MAX_PAYLOAD_BYTES);
        var http = HttpExchanges.request(request, rawPath, body, version.config().publicUrl());
        Invocation result = api.invoker().invoke(Call.to(version).trigger(Call.Trigger.FUNCTION_URL)
                .payload(requestId -> FunctionUrlEvents.toEvent(http, name, requestId, api.clock().instant()))
                .build());
        String requestId = result.requestId();
        response.getHeaders().put("X-Cumulus-Request-Id", requestId);
        if (result.failed()) {
            HttpExchanges.writeFunctionError(response, requestId, result);
            return;
        }
        HttpExchanges.write(response,
                HttpExchanges.scopeCookies(FunctionUrlEvents.toResponse(result.payload()), "/fn/" + name + "/"));
    }

    private void logs(Request request, Response response, String name) throws Exception {
        requireFunction(name);
        Fields query = Request.extractQueryParameters(request);
        int limit = intParam(query, "limit", 100, 1, 10_000);
        boolean follow = "true".equals(query.getValue("follow"));
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/x-ndjson");
        if (!follow) {
            StringBuilder out = new StringBuilder();
            for (LogLine line : api.logs().tail(name, limit)) {
                out.append(new String(Json.write(logView(line)), StandardCharsets.UTF_8)).append('\n');
            }
            Exchange.writeText(response, 200, "application/x-ndjson", out.toString());
            return;
        }
        var gone = new java.util.concurrent.atomic.AtomicBoolean();
        request.addFailureListener(failure -> gone.set(true));
        try (LogStore.Follower follower = api.logs().follow(name)) {
            for (LogLine line : api.logs().tail(name, limit)) {
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
        var view = new java.util.LinkedHashMap<String, Object>();
        view.put("time", line.time().toString());
        view.put("requestId", line.requestId());
        view.put("instanceId", line.instanceId());
        view.put("line", line.line());
        return view;
    }

    private void usage(Request request, Response response) throws IOException {
        Fields query = Request.extractQueryParameters(request);
        Instant from = instantParam(query, "from", Instant.EPOCH);
        Instant to = instantParam(query, "to", api.clock().instant().plusSeconds(1));
        if (!from.isBefore(to)) {
            throw ApiException.badRequest("InvalidParameter", "'from' must be before 'to'");
        }
        api.flushMetering().run(); // read-your-writes: usage includes every invocation answered so far
        Exchange.write(response, 200, JSON, Json.write(Views.Usage.of(from, to, api.usage().byFunction(from, to))));
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

    private static boolean booleanParam(Fields query, String name) {
        String value = query.getValue(name);
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
