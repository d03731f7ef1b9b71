package dev.cumulus.edge;

import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Api;
import dev.cumulus.web.Failure;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import dev.cumulus.web.Router;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Admits edge requests and hands each to the {@link Api} that owns its path: an API with its own
 * prefixes (the Lambda API), or else the node's REST API, whose routes are the edge's own
 * ({@link FunctionRoutes}) and those of the capabilities beside it. Routing, authorisation and
 * error answers are the {@link Api}'s.
 */
final class EdgeHandler extends Handler.Abstract {
    private final Admission admission;
    /** {@code none} on a node whose functions run unisolated, else null: no header at all. */
    private final String sandboxWarning;
    private final FunctionRoutes functionRoutes;
    private final Api rest;
    private final List<Api> prefixed;

    EdgeHandler(EdgeApi api, Admission admission, String sandbox, boolean isolated) {
        super(Invocable.InvocationType.BLOCKING);
        this.admission = admission;
        this.sandboxWarning = isolated ? null : "none";
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", "ok");
        health.put("sandbox", sandbox);
        if (!isolated) {
            health.put("warning", "functions run as plain processes of the node, NOT isolated (sandbox mode "
                    + "none-i-trust-all-code)");
        }
        this.functionRoutes = new FunctionRoutes(api, Json.write(health));
        List<Route> routes = new ArrayList<>(functionRoutes.routes());
        routes.addAll(api.routes());
        this.rest = Api.builder("cumulus")
                .router(Router.of(routes).projectPrefix("/v1"))
                .guard(api.guard())
                .authenticator(Api.bearer(api.guard()))
                .stamp(this::warnUnisolated)
                .build();
        this.prefixed = api.apis().stream().map(b -> b.stamp(this::warnUnisolated).build()).toList();
    }

    /** Every API the edge serves, the REST API first. */
    List<Api> apis() {
        List<Api> all = new ArrayList<>();
        all.add(rest);
        all.addAll(prefixed);
        return all;
    }

    /** Ends live log streams so a graceful stop does not wait on them. */
    void stopping() {
        functionRoutes.stopping();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        warnUnisolated(response);
        String path = request.getHttpURI().getPath();
        Api api = apiFor(path);
        Admission.Ticket ticket;
        try {
            ticket = admission.admit(traffic(api, path), clientAddress(request));
        } catch (Admission.Refused e) {
            api.fail(request, response, callback, Failure.refused(e.status(), e.code(), e.getMessage(), "1"));
            return true;
        }
        // the place is held until the answer is written, which may be after serve returns (a
        // warm invocation is answered by the thread that reads the function's result)
        Callback answered = Callback.from(ticket::close, callback);
        if (hasDotSegment(path)) {
            // Jetty refuses encoded ones ("%2e%2e") itself but hands plain ones through as they
            // are: a greedy route parameter or a function URL's path would carry "../" on
            api.fail(request, response, answered, Failure.of(ApiException.badRequest("InvalidPath",
                    "the path has a dot segment ('.' or '..'): send it resolved")));
        } else {
            api.serve(request, response, answered);
        }
        return true;
    }

    private Api apiFor(String path) {
        for (Api api : prefixed) {
            if (api.owns(path)) {
                return api;
            }
        }
        return rest;
    }

    private Admission.Traffic traffic(Api api, String path) {
        if (path.startsWith("/fn/") || path.equals("/api") || path.startsWith("/api/")) {
            return Admission.Traffic.PUBLIC;
        }
        return api != rest || path.startsWith("/v1/") ? Admission.Traffic.ADMIN : Admission.Traffic.FREE;
    }

    private static InetAddress clientAddress(Request request) {
        return request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress remote
                ? remote.getAddress() : InetAddress.getLoopbackAddress();
    }

    private void warnUnisolated(Response response) {
        if (sandboxWarning != null) {
            response.getHeaders().put(EdgeServer.SANDBOX_HEADER, sandboxWarning);
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
}
