package dev.cumulus.metering;

import dev.cumulus.store.TestDatabase;

class SqliteMeteringTest extends MeteringContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }
}
