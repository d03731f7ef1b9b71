package dev.cumulus.topics;

import dev.cumulus.store.TestDatabase;

class PostgresTopicStoreTest extends TopicStoreContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }
}
