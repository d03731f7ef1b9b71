package dev.cumulus.routes;

import dev.cumulus.store.TestDatabase;

class PostgresRouteStoreTest extends RouteStoreContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }
}
