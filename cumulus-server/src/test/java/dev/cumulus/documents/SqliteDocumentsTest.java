package dev.cumulus.documents;

import dev.cumulus.store.TestDatabase;

class SqliteDocumentsTest extends DocumentsContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }
}
