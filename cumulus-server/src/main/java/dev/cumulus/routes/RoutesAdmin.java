package dev.cumulus.routes;

import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Call;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code /v1/routes}: create, list, get and delete the routes of the request's project. */
final class RoutesAdmin {
    static final String PREFIX = "/v1/routes";
    private static final String JSON = "application/json";

    private final RouteStore store;
    private final Invoker invoker;
    private final Gateway gateway;
    private final Clock clock;

    RoutesAdmin(RouteStore store, Invoker invoker, Gateway gateway, Clock clock) {
        this.store = store;
        this.invoker = invoker;
        this.gateway = gateway;
        this.clock = clock;
    }

    List<dev.cumulus.web.Route> routes() {
        return List.of(
                dev.cumulus.web.Route.get(PREFIX).authorize("routes:List", "routes", "*")
                        .handle(call -> call.json(200, Map.of("routes",
                                store.list(call.project()).stream().map(RoutesAdmin::view).toList()))),
                dev.cumulus.web.Route.post(PREFIX).authorize("routes:Create", "routes", "*").handle(this::create),
                dev.cumulus.web.Route.get(PREFIX + "/{id}").authorize("routes:Get", "routes", "{id}").handle(call -> {
                    String id = call.param("id");
                    call.json(200, view(store.get(call.project(), id)
                            .orElseThrow(() -> ApiException.notFound("route " + id + " does not exist"))));
                }),
                dev.cumulus.web.Route.delete(PREFIX + "/{id}").authorize("routes:Delete", "routes", "{id}").handle(call -> {
                    String id = call.param("id");
                    if (!store.delete(call.project(), id)) {
                        throw ApiException.notFound("route " + id + " does not exist");
                    }
                    gateway.invalidate();
                    call.noContent();
                }));
    }

    private void create(Call call) throws IOException {
        var body = Json.parseObject(Exchange.readBody(call.request(), 64 * 1024));
        String project = call.project();
        dev.cumulus.routes.Route route = RouteRequests.parse(body, newId(), project, clock.instant(),
                function -> functionExists(project, function));
        store.create(route);
        gateway.invalidate();
        call.json(201, view(route));
    }

    private boolean functionExists(String project, String qualifiedName) {
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

    static Map<String, Object> view(dev.cumulus.routes.Route route) {
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
