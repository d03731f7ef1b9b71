package dev.cumulus.users;

import dev.cumulus.store.TestDatabase;

class SqliteUsersStoreTest extends UsersStoreContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }
}
