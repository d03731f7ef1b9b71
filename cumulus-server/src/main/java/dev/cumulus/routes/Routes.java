package dev.cumulus.routes;

import dev.cumulus.iam.Guard;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.registry.FunctionArns;
import dev.cumulus.registry.FunctionDependents;
import dev.cumulus.store.Database;
import java.time.Clock;
import java.util.List;

/** The routes capability as the node wires it: the public gateway and its admin API. */
public final class Routes {
    private final RouteStore store;
    private final Gateway gateway;
    private final RoutesAdmin admin;

    /** @param endUsers checks end users' access tokens for routes with {@code auth: user} */
    public Routes(Database db, Invoker invoker, Guard guard, EndUserVerifier endUsers, Clock clock) {
        this.store = new JdbcRouteStore(db);
        this.gateway = new Gateway(store, FunctionArns.DEFAULT_PROJECT, invoker, guard, endUsers, clock);
        this.admin = new RoutesAdmin(store, invoker, gateway, clock);
    }

    /** {@code /api} (public, each route says who may call it) and {@code /v1/routes}. */
    public List<dev.cumulus.web.Route> routes() {
        List<dev.cumulus.web.Route> all = new java.util.ArrayList<>(gateway.routes());
        all.addAll(admin.routes());
        return all;
    }

    /** The routes that invoke a function, for deleting it (dev.cumulus.functions.Functions). */
    public FunctionDependents dependents() {
        return new FunctionDependents() {
            @Override
            public List<Dependent> of(String project, String function) {
                return naming(project, function).stream()
                        .map(r -> new Dependent("route", r.id(), r.method() + " " + r.path(), r.function())).toList();
            }

            @Override
            public void remove(String project, String function) {
                for (Route route : naming(project, function)) {
                    store.delete(project, route.id());
                }
                gateway.invalidate();
            }
        };
    }

    private List<Route> naming(String project, String function) {
        return store.list(project).stream().filter(r -> FunctionDependents.names(r.function(), function)).toList();
    }
}
