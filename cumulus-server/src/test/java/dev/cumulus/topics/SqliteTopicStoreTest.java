package dev.cumulus.topics;

import dev.cumulus.store.TestDatabase;

class SqliteTopicStoreTest extends TopicStoreContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }
}
