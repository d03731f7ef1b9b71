package dev.cumulus.metering;

import dev.cumulus.store.TestDatabase;

class PostgresMeteringTest extends MeteringContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }
}
