package dev.cumulus.sources;

import dev.cumulus.store.TestDatabase;

class PostgresSourceStoreTest extends SourceStoreContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }
}
