package dev.cumulus.documents;

import dev.cumulus.store.TestDatabase;

class PostgresDocumentsTest extends DocumentsContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }
}
