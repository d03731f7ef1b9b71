package dev.cumulus.iam;

import dev.cumulus.store.TestDatabase;

class SqliteIamStoreTest extends IamStoreContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }
}
