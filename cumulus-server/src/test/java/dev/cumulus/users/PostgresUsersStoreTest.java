package dev.cumulus.users;

import dev.cumulus.store.TestDatabase;

class PostgresUsersStoreTest extends UsersStoreContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }
}
