package dev.cumulus.routes;

import dev.cumulus.auth.RootToken;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.store.Database;
import dev.cumulus.web.Mount;
import java.time.Clock;
import java.util.List;

/** The routes capability as the node wires it: the public gateway and its admin API. */
public final class Routes {
    /** The one project a node has until projects exist. */
    public static final String DEFAULT_PROJECT = "default";

    private final Gateway gateway;
    private final RoutesAdmin admin;

    public Routes(Database db, Invoker invoker, RootToken token, Clock clock) {
        RouteStore store = new JdbcRouteStore(db);
        this.gateway = new Gateway(store, DEFAULT_PROJECT, invoker, token, clock);
        this.admin = new RoutesAdmin(store, DEFAULT_PROJECT, invoker, gateway, clock);
    }

    /** {@code /api} (public, each route says who may call it) and {@code /v1/routes} (root token). */
    public List<Mount> mounts() {
        return List.of(gateway, admin);
    }
}
