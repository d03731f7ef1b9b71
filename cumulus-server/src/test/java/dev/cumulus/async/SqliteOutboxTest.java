package dev.cumulus.async;

import dev.cumulus.store.TestDatabase;

class SqliteOutboxTest extends OutboxContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }
}
