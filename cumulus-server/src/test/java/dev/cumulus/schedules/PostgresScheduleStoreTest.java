package dev.cumulus.schedules;

import dev.cumulus.store.TestDatabase;

class PostgresScheduleStoreTest extends ScheduleStoreContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }
}
