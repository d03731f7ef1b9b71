package dev.cumulus.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresDatabaseTest extends DatabaseContract {
    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.POSTGRES;
    }

    @Test
    void refusesUrlsOfOtherDatabases() {
        assertThatThrownBy(() -> Database.open("jdbc:mysql://localhost/x", dir))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
