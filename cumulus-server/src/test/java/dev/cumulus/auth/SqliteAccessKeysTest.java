package dev.cumulus.auth;

import dev.cumulus.store.TestDatabase;

class SqliteAccessKeysTest extends AccessKeysContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }
}
