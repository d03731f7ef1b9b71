package dev.cumulus.storage;

import dev.cumulus.store.TestDatabase;

class PostgresStorageTest extends StorageContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }
}
