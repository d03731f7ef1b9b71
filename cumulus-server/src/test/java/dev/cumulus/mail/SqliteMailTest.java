package dev.cumulus.mail;

import dev.cumulus.store.TestDatabase;

class SqliteMailTest extends MailContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }
}
