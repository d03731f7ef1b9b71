package dev.cumulus.sources;

import dev.cumulus.store.TestDatabase;

class SqliteSourceStoreTest extends SourceStoreContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }
}
