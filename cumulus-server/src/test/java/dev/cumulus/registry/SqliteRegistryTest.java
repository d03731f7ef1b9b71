package dev.cumulus.registry;

import dev.cumulus.store.TestDatabase;

class SqliteRegistryTest extends RegistryContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }
}
