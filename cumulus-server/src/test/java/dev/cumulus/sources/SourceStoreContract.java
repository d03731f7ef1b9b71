package dev.cumulus.sources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.store.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mapping table on one backend; subclasses pick SQLite or PostgreSQL. */
abstract class SourceStoreContract {
    @TempDir
    Path dir;

    TestDatabase database;
    SourceStore store;

    abstract TestDatabase.Backend backend();

    @BeforeEach
    void open() {
        database = TestDatabase.create(backend(), dir);
        store = new SourceStore(database.db());
    }

    @AfterEach
    void close() {
        database.close();
    }

    private static SourceMapping mqtt(String name) {
        return mqtt("default", name);
    }

    private static SourceMapping mqtt(String project, String name) {
        return new SourceMapping(project, name, SourceType.MQTT, "mqtt://u:p@127.0.0.1:1883", "sensors/+/temp", null, null, null,
                "alert:live", 25, 500, true, 7, new OnFailure.ToFunction("dead-letters"), true,
                Instant.ofEpochMilli(1_700_000_000_123L));
    }

    @Test
    void insertedMappingsReadBackWithEverySetting() {
        SourceMapping mqtt = mqtt("sensors");
        SourceMapping nats = new SourceMapping("default", "orders", SourceType.NATS, "nats://127.0.0.1:4222", null, "orders.*",
                "ORDERS", null, "ship", 1, 0, false, 0, null, false, Instant.ofEpochMilli(5));
        SourceMapping amqp = new SourceMapping("default", "jobs", SourceType.AMQP, "amqp://guest:guest@127.0.0.1:5672/%2f", null,
                null, null, "jobs", "work", 100, 5_000, false, 100, new OnFailure.ToTopic("failures"), true,
                Instant.ofEpochMilli(6));
        assertThat(store.insert(mqtt)).isTrue();
        assertThat(store.insert(nats)).isTrue();
        assertThat(store.insert(amqp)).isTrue();

        assertThat(store.get("default", "sensors")).contains(mqtt);
        assertThat(store.get("default", "orders")).contains(nats);
        assertThat(store.get("default", "jobs")).contains(amqp);
        assertThat(store.list()).containsExactly(amqp, nats, mqtt);
    }

    @Test
    void aSecondMappingOfTheSameNameIsRefused() {
        assertThat(store.insert(mqtt("sensors"))).isTrue();
        assertThat(store.insert(mqtt("sensors").withEnabled(false))).isFalse();
        assertThat(store.get("default", "sensors").orElseThrow().enabled()).isTrue();
    }

    @Test
    void namesAreUniquePerProjectAndEachProjectSeesItsOwn() {
        assertThat(store.insert(mqtt("default", "sensors"))).isTrue();
        assertThat(store.insert(mqtt("shop", "sensors"))).isTrue();
        assertThat(store.list("shop")).containsExactly(mqtt("shop", "sensors"));
        assertThat(store.get("other", "sensors")).isEmpty();
        assertThat(store.setEnabled("other", "sensors", false, Instant.now())).isFalse();
        assertThat(store.delete("shop", "sensors")).isTrue();
        assertThat(store.list()).containsExactly(mqtt("default", "sensors"));
    }

    @Test
    void enableDisableAndDeleteSurviveAReopen() {
        store.insert(mqtt("a"));
        store.insert(mqtt("b"));
        assertThat(store.setEnabled("default", "a", false, Instant.now())).isTrue();
        assertThat(store.setEnabled("default", "missing", false, Instant.now())).isFalse();
        assertThat(store.delete("default", "b")).isTrue();
        assertThat(store.delete("default", "b")).isFalse();

        store = new SourceStore(database.reopen());
        assertThat(store.list()).containsExactly(mqtt("a").withEnabled(false));
        assertThat(store.get("default", "b")).isEmpty();
    }
}
