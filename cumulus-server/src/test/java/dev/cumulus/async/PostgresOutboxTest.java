package dev.cumulus.async;

import dev.cumulus.store.TestDatabase;

class PostgresOutboxTest extends OutboxContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }
}
