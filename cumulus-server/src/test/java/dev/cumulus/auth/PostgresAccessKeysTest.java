package dev.cumulus.auth;

import dev.cumulus.store.TestDatabase;

class PostgresAccessKeysTest extends AccessKeysContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }
}
