package dev.cumulus.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

class SqliteDatabaseTest extends DatabaseContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }

    @Test
    void usesAFileInTheDataDirWithWalAndABusyTimeout() {
        assertThat(dir.resolve("cumulus.db")).exists();
        assertThat(pragma("journal_mode")).isEqualToIgnoringCase("wal");
        assertThat(pragma("foreign_keys")).isEqualTo("1");
        assertThat(pragma("busy_timeout")).isEqualTo(String.valueOf(Database.SQLITE_BUSY_TIMEOUT_MS));
    }

    private String pragma(String name) {
        return test.db().withConnection(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("PRAGMA " + name)) {
                rs.next();
                return rs.getString(1);
            }
        });
    }
}
