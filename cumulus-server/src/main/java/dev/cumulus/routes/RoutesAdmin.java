package dev.cumulus.routes;

import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Mount;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** {@code /v1/routes}: create, list, get and delete routes (root token). */
final class RoutesAdmin implements Mount {
    static final String PREFIX = "/v1/routes";
    private static final String JSON = "application/json";

    private final RouteStore store;
    private final String project;
    private final Invoker invoker;
    private final Gateway gateway;
    private final Clock clock;

    RoutesAdmin(RouteStore store, String project, Invoker invoker, Gateway gateway, Clock clock) {
        this.store = store;
        this.project = project;
        this.invoker = invoker;
        this.gateway = gateway;
        this.clock = clock;
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public Access access() {
        return Access.ADMIN;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        String rest = request.getHttpURI().getPath().substring(PREFIX.length());
        String method = request.getMethod();
        if (rest.isEmpty() || rest.equals("/")) {
            switch (method) {
                case "GET" -> Exchange.write(response, 200, JSON, Json.write(Map.of("routes",
                        store.list(project).stream().map(RoutesAdmin::view).toList())));
                case "POST" -> {
                    var body = Json.parseObject(Exchange.readBody(request, 64 * 1024));
                    Route route = RouteRequests.parse(body, newId(), project, clock.instant(), this::functionExists);
                    store.create(route);
                    gateway.invalidate();
                    Exchange.write(response, 201, JSON, Json.write(view(route)));
                }
                default -> throw ApiException.methodNotAllowed("GET or POST");
            }
            return;
        }
        String id = rest.substring(1);
        if (id.contains("/")) {
            throw ApiException.notFound("no such endpoint: " + method + " " + request.getHttpURI().getPath());
        }
        switch (method) {
            case "GET" -> Exchange.write(response, 200, JSON, Json.write(view(store.get(project, id)
                    .orElseThrow(() -> ApiException.notFound("route " + id + " does not exist")))));
            case "DELETE" -> {
                if (!store.delete(project, id)) {
                    throw ApiException.notFound("route " + id + " does not exist");
                }
                gateway.invalidate();
                response.setStatus(204);
                Content.Sink.write(response, true, ByteBuffer.allocate(0));
            }
            default -> throw ApiException.methodNotAllowed("GET or DELETE");
        }
    }

    private boolean functionExists(String qualifiedName) {
        try {
            invoker.resolve(project, qualifiedName);
            return true;
        } catch (ApiException e) {
            if (e.status() == 404) return false;
            throw e;
        }
    }

    private static String newId() {
        return "r-" + Invoker.newRequestId().replace("-", "").substring(0, 12);
    }

    static Map<String, Object> view(Route route) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", route.id());
        view.put("method", route.method());
        view.put("path", route.path());
        view.put("function", route.function());
        view.put("payloadFormat", route.payloadFormat().label());
        view.put("auth", route.auth().name().toLowerCase(Locale.ROOT));
        view.put("cors", route.cors());
        view.put("throttle", route.throttle());
        view.put("url", Gateway.PREFIX + route.path());
        view.put("createdAt", route.createdAt().toString());
        return view;
    }
}
