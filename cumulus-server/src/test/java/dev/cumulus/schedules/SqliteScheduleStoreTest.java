package dev.cumulus.schedules;

import dev.cumulus.store.TestDatabase;

class SqliteScheduleStoreTest extends ScheduleStoreContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }
}
