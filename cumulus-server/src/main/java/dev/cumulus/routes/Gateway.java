package dev.cumulus.routes;

import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.FunctionUrlEvents;
import dev.cumulus.invoke.HttpExchanges;
import dev.cumulus.invoke.Invocation;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.invoke.RestApiEvents;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.runtimeapi.RuntimeApiServer;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.iam.Crn;
import dev.cumulus.iam.Guard;
import dev.cumulus.iam.Principal;
import dev.cumulus.web.Call;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves {@code /api/...}: matches the request against its project's route table (the project
 * the {@code X-Cumulus-Project} header names, else the node's default, as function URLs do),
 * answers CORS
 * preflights, applies the route's auth and throttle and invokes its function with the route's
 * payload format. Its refusals are written here rather than thrown, so that {@code Allow},
 * {@code Retry-After} and CORS headers reach the client.
 */
final class Gateway {
    static final String PREFIX = "/api";
    private static final String JSON = "application/json";

    private final RouteStore store;
    /** The project of a request that names none. */
    private final String defaultProject;
    private final Invoker invoker;
    private final Guard guard;
    private final EndUserVerifier endUsers;
    private final Clock clock;
    private final AtomicLong generation = new AtomicLong();
    /** Keyed by project and route id. */
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    /** Compiled tables of the projects that have routes; a project without any is never kept. */
    private final Map<String, RouteMatcher> tables = new ConcurrentHashMap<>();

    Gateway(RouteStore store, String defaultProject, Invoker invoker, Guard guard, EndUserVerifier endUsers,
            Clock clock) {
        this.endUsers = endUsers;
        this.store = store;
        this.defaultProject = defaultProject;
        this.invoker = invoker;
        this.guard = guard;
        this.clock = clock;
    }

    /**
     * {@code /api} and everything under it: public, since each user route says who may call it
     * (a route with token auth asks the guard for {@code functions:Invoke} on its function).
     */
    List<dev.cumulus.web.Route> routes() {
        return List.of(
                dev.cumulus.web.Route.any(PREFIX).authorize("routes:Invoke", "routes", "*").publicAccess()
                        .handle(this::handle),
                dev.cumulus.web.Route.any(PREFIX + "/{path+}").authorize("routes:Invoke", "routes", "*").publicAccess()
                        .handle(this::handle));
    }

    /** Drops the compiled tables; the next request of each project loads its routes again. */
    void invalidate() {
        generation.incrementAndGet();
        tables.clear();
    }

    private RouteMatcher table(String project) {
        RouteMatcher current = tables.get(project);
        if (current != null) {
            return current;
        }
        long seen = generation.get();
        List<Route> routes = store.list(project);
        RouteMatcher compiled = RouteMatcher.compile(routes);
        // buckets outlive reloads so that adding one route does not refill every other route's bucket
        String prefix = project + "/";
        java.util.Set<String> live = routes.stream().map(r -> prefix + r.id()).collect(Collectors.toSet());
        buckets.keySet().removeIf(key -> key.startsWith(prefix) && !live.contains(key));
        for (Route route : routes) {
            if (route.throttle() != null) {
                buckets.computeIfAbsent(prefix + route.id(),
                        id -> new TokenBucket(route.throttle().rate(), route.throttle().burst(), System::nanoTime));
            }
        }
        synchronized (this) {
            // a change made while loading wins: this table may already be stale; and a header
            // naming projects at random must not fill memory with empty tables
            if (generation.get() == seen && !routes.isEmpty()) {
                tables.put(project, compiled);
            }
        }
        return compiled;
    }

    private void handle(Call call) throws Exception {
        Request request = call.request();
        Response response = call.response();
        String path = call.rawTail() == null ? "/" : call.rawTail();
        String method = request.getMethod();
        HttpFields headers = request.getHeaders();
        String origin = headers.get(HttpHeader.ORIGIN);
        String project = call.requestedProject() != null ? call.requestedProject() : defaultProject;
        RouteMatcher matcher = table(project);
        if (method.equals("OPTIONS") && origin != null && headers.get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD) != null
                && preflight(matcher, path, origin, headers, response)) {
            return;
        }
        switch (matcher.match(method, path)) {
            case RouteMatcher.Match.NotFound n ->
                    error(response, 404, "RouteNotFound", "no route matches " + method + " " + path);
            case RouteMatcher.Match.MethodNotAllowed m -> {
                response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", m.allowed()));
                error(response, 405, "MethodNotAllowed", path + " takes " + String.join(", ", m.allowed()) + ", not " + method);
            }
            case RouteMatcher.Match.Found found -> serve(call, project, path, origin, found);
        }
    }

    private void serve(Call call, String project, String path, String origin, RouteMatcher.Match.Found found)
            throws Exception {
        Request request = call.request();
        Response response = call.response();
        Route route = found.route();
        corsHeaders(route, origin, response);
        if (route.auth() == Route.Auth.TOKEN) {
            Principal who = guard.bearer(request.getHeaders().get(HttpHeader.AUTHORIZATION), call.facts()).orElse(null);
            if (who == null) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
                error(response, 401, "Unauthorized", "this route needs an 'Authorization: Bearer <token>' header");
                return;
            }
            String function = route.function();
            int colon = function.indexOf(':');
            guard.authorize(who, "functions:Invoke", Crn.of("functions", guard.project(who, project),
                    colon < 0 ? function : function.substring(0, colon)), call.facts());
        }
        Map<String, Object> user = null;
        if (route.auth() == Route.Auth.USER) {
            user = endUsers.claims(project, request.getHeaders().get(HttpHeader.AUTHORIZATION)).orElse(null);
            if (user == null) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
                error(response, 401, "Unauthorized", "this route needs an end user's valid access token: "
                        + "'Authorization: Bearer <accessToken>' from /v1/projects/" + project + "/auth/login");
                return;
            }
        }
        TokenBucket bucket = buckets.get(project + "/" + route.id());
        if (bucket != null) {
            long waitNanos = bucket.tryTake();
            if (waitNanos > 0) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L)));
                error(response, 429, "TooManyRequests", "route " + route.method() + " " + route.path()
                        + " allows " + route.throttle().rate() + " requests per second (burst " + route.throttle().burst() + ")");
                return;
            }
        }
        FunctionVersion version;
        try {
            version = invoker.resolve(project, route.function());
        } catch (ApiException missing) {
            error(response, 502, "RouteTargetMissing", "the route's function " + route.function() + " is not available");
            return;
        }
        byte[] body = Exchange.readBody(request, RuntimeApiServer.MAX_PAYLOAD_BYTES);
        // a route guarded by the root token never shows that token to its function
        // (an end user's own token is theirs to show: as API Gateway does, the function gets it)
        var http = HttpExchanges.request(request, path, body, route.auth() != Route.Auth.TOKEN);
        Map<String, Object> caller = user;
        call.answerLater(invoker.start(dev.cumulus.invoke.Call.to(version).trigger(dev.cumulus.invoke.Call.Trigger.ROUTE)
                .payload(requestId -> FunctionUrlEvents.withJwtAuthorizer(switch (route.payloadFormat()) {
                    case V2 -> FunctionUrlEvents.toEvent(http, project, route.method() + " " + route.path(),
                            found.pathParameters(), requestId, clock.instant());
                    case V1 -> RestApiEvents.toEvent(http, project, route.path(), found.pathParameters(), requestId,
                            clock.instant());
                }, caller))
                .cognitoIdentity(FunctionUrlEvents.cognitoIdentity(project, caller))
                .build()), (result, answer, done) -> answer(route, result, answer, done));
    }

    private static void answer(Route route, Invocation result, Response response, Callback done) {
        String requestId = result.requestId();
        response.getHeaders().put("X-Cumulus-Request-Id", requestId);
        if (result.failed()) {
            HttpExchanges.writeFunctionError(response, requestId, result, done);
            return;
        }
        FunctionUrlEvents.HttpResponse mapped = switch (route.payloadFormat()) {
            case V2 -> FunctionUrlEvents.toResponse(result.payload());
            case V1 -> RestApiEvents.toResponse(result.payload());
        };
        if (mapped == null) {
            Exchange.write(response, 502, JSON, errorBody("MalformedResponse", "the function's answer is not a payload "
                    + "format 1.0 response (an object with statusCode); see request " + requestId), done);
            return;
        }
        HttpExchanges.write(response, mapped, done);
    }

    /** @return false when no route with CORS settings covers the request, so it is routed as a plain OPTIONS */
    private boolean preflight(RouteMatcher matcher, String path, String origin, HttpFields headers, Response response)
            throws IOException {
        String requested = headers.get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD).trim().toUpperCase(Locale.ROOT);
        if (!(matcher.match(requested, path) instanceof RouteMatcher.Match.Found found) || found.route().cors() == null) {
            return false;
        }
        Route route = found.route();
        Route.Cors cors = route.cors();
        if (!cors.allowsOrigin(origin)) {
            error(response, 403, "CorsRejected", "origin " + origin + " may not call " + path);
            return true;
        }
        List<String> methods = cors.allowMethods().isEmpty() || cors.allowMethods().contains("*")
                ? List.of(route.method().equals(RouteMatcher.ANY) || cors.allowMethods().contains("*") ? requested : route.method())
                : cors.allowMethods();
        if (!methods.contains(requested)) {
            error(response, 403, "CorsRejected", "method " + requested + " is not allowed from other origins on " + path);
            return true;
        }
        String askedHeaders = headers.get(HttpHeader.ACCESS_CONTROL_REQUEST_HEADERS);
        List<String> asked = askedHeaders == null ? List.of() : List.of(askedHeaders.split(",")).stream()
                .map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        boolean anyHeader = cors.allowHeaders().contains("*");
        if (!anyHeader) {
            List<String> allowed = cors.allowHeaders().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
            for (String header : asked) {
                if (!allowed.contains(header)) {
                    error(response, 403, "CorsRejected", "header " + header + " is not allowed from other origins on " + path);
                    return true;
                }
            }
        }
        var out = response.getHeaders();
        out.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, allowOrigin(cors, origin));
        out.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, String.join(", ", methods));
        if (!asked.isEmpty()) {
            out.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, anyHeader ? String.join(", ", asked) : String.join(", ", cors.allowHeaders()));
        }
        if (cors.maxAgeSeconds() > 0) {
            out.put(HttpHeader.ACCESS_CONTROL_MAX_AGE, Integer.toString(cors.maxAgeSeconds()));
        }
        if (cors.allowCredentials()) {
            out.put(HttpHeader.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        out.add(HttpHeader.VARY, "Origin");
        response.setStatus(204);
        Content.Sink.write(response, true, ByteBuffer.allocate(0));
        return true;
    }

    private static void corsHeaders(Route route, String origin, Response response) {
        Route.Cors cors = route.cors();
        if (cors == null || origin == null || !cors.allowsOrigin(origin)) {
            return;
        }
        var out = response.getHeaders();
        out.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, allowOrigin(cors, origin));
        if (cors.allowCredentials()) {
            out.put(HttpHeader.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        if (!cors.exposeHeaders().isEmpty()) {
            out.put(HttpHeader.ACCESS_CONTROL_EXPOSE_HEADERS, String.join(", ", cors.exposeHeaders()));
        }
        out.add(HttpHeader.VARY, "Origin");
    }

    private static String allowOrigin(Route.Cors cors, String origin) {
        return cors.allowOrigins().contains("*") && !cors.allowCredentials() ? "*" : origin;
    }

    private static void error(Response response, int status, String code, String message) throws IOException {
        Exchange.write(response, status, JSON, errorBody(code, message));
    }

    private static byte[] errorBody(String code, String message) {
        return Json.write(Map.of("error", code, "message", message));
    }
}
