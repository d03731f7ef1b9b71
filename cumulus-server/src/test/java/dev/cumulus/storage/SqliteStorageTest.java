package dev.cumulus.storage;

import dev.cumulus.store.TestDatabase;

class SqliteStorageTest extends StorageContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }
}
