package dev.cumulus.routes;

import dev.cumulus.store.TestDatabase;

class SqliteRouteStoreTest extends RouteStoreContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }
}
