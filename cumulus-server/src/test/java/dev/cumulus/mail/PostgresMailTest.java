package dev.cumulus.mail;

import dev.cumulus.store.TestDatabase;

class PostgresMailTest extends MailContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }
}
