package dev.cumulus.registry;

import dev.cumulus.store.TestDatabase;

class PostgresRegistryTest extends RegistryContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }
}
