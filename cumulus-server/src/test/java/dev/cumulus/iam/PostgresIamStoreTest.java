package dev.cumulus.iam;

import dev.cumulus.store.TestDatabase;

class PostgresIamStoreTest extends IamStoreContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }
}
