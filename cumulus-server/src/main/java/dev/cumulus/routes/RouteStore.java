package dev.cumulus.routes;

import java.util.List;
import java.util.Optional;

/** Where routes are kept. Routes are immutable: to change one, delete it and add another. */
interface RouteStore {

    /** @throws dev.cumulus.errors.ApiException 409 when the project has a route with this method and path shape */
    Route create(Route route);

    List<Route> list(String project);

    Optional<Route> get(String project, String id);

    boolean delete(String project, String id);
}
