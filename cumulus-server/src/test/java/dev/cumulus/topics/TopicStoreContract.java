package dev.cumulus.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.invoke.AsyncInvoker.PayloadFormat;
import dev.cumulus.store.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topic and subscription tables on one backend; subclasses pick SQLite or PostgreSQL. */
abstract class TopicStoreContract {
    private static final Instant T0 = Instant.ofEpochMilli(1_700_000_000_123L);

    @TempDir
    Path dir;

    TestDatabase database;
    TopicStore store;

    abstract TestDatabase.Backend backend();

    @BeforeEach
    void open() {
        database = TestDatabase.create(backend(), dir);
        store = new TopicStore(database.db());
    }

    @AfterEach
    void close() {
        database.close();
    }

    private static Subscription sub(String id, String topic, Filter filter, PayloadFormat format, long at) {
        return new Subscription(id, "default", topic, "notify:live", filter, format, T0.plusMillis(at));
    }

    @Test
    void aTopicIsCreatedOnceAndReadBack() {
        assertThat(store.createTopic("default", "alerts", T0)).isTrue();
        assertThat(store.createTopic("default", "alerts", T0.plusSeconds(5))).isFalse();
        assertThat(store.topic("default", "alerts")).hasValue(T0);
    }

    @Test
    void topicsAreScopedByProject() {
        store.createTopic("default", "alerts", T0);
        assertThat(store.topic("other", "alerts")).isEmpty();
        assertThat(store.createTopic("other", "alerts", T0)).isTrue();
        assertThat(store.topics("other")).extracting(TopicStore.TopicRow::name).containsExactly("alerts");
    }

    @Test
    void topicsListByNameWithTheirSubscriptionCounts() {
        store.createTopic("default", "b", T0);
        store.createTopic("default", "a", T0.plusMillis(1));
        store.subscribe(sub("s1", "b", Filter.ALL, PayloadFormat.RAW, 0));
        store.subscribe(sub("s2", "b", Filter.ALL, PayloadFormat.RAW, 1));
        assertThat(store.topics("default")).containsExactly(
                new TopicStore.TopicRow("a", T0.plusMillis(1), 0), new TopicStore.TopicRow("b", T0, 2));
    }

    @Test
    void subscriptionsReadBackWithEverySettingOldestFirst() {
        store.createTopic("default", "alerts", T0);
        Subscription full = sub("s-full", "alerts", new Filter("alert.raised", "/functions/iot-alert", "sensors/"),
                PayloadFormat.CLOUDEVENTS, 2);
        Subscription bare = sub("s-bare", "alerts", Filter.ALL, PayloadFormat.RAW, 1);
        assertThat(store.subscribe(full)).isTrue();
        assertThat(store.subscribe(bare)).isTrue();
        assertThat(store.subscriptions("default", "alerts")).containsExactly(bare, full);
    }

    @Test
    void aProjectsSubscriptionsOfEveryTopicListByTopicThenAge() {
        store.createTopic("default", "b", T0);
        store.createTopic("default", "a", T0);
        store.createTopic("other", "a", T0);
        store.subscribe(sub("s-b", "b", Filter.ALL, PayloadFormat.RAW, 0));
        store.subscribe(sub("s-a2", "a", Filter.ALL, PayloadFormat.RAW, 2));
        store.subscribe(sub("s-a1", "a", Filter.ALL, PayloadFormat.RAW, 1));
        store.subscribe(new Subscription("s-other", "other", "a", "notify", Filter.ALL, PayloadFormat.RAW, T0));
        assertThat(store.subscriptions("default")).extracting(Subscription::id).containsExactly("s-a1", "s-a2", "s-b");
        assertThat(store.subscriptions("other")).extracting(Subscription::function).containsExactly("notify");
        assertThat(store.subscriptions("nobody")).isEmpty();
    }

    @Test
    void noSubscriptionForAMissingTopic() {
        assertThat(store.subscribe(sub("s1", "ghost", Filter.ALL, PayloadFormat.RAW, 0))).isFalse();
        assertThat(store.subscriptions("default", "ghost")).isEmpty();
    }

    @Test
    void unsubscribeRemovesOnlyThatSubscriptionOfThatTopic() {
        store.createTopic("default", "a", T0);
        store.createTopic("default", "b", T0);
        store.subscribe(sub("s1", "a", Filter.ALL, PayloadFormat.RAW, 0));
        store.subscribe(sub("s2", "a", Filter.ALL, PayloadFormat.RAW, 1));
        assertThat(store.unsubscribe("default", "b", "s1")).isFalse();
        assertThat(store.unsubscribe("default", "a", "s1")).isTrue();
        assertThat(store.unsubscribe("default", "a", "s1")).isFalse();
        assertThat(store.subscriptions("default", "a")).extracting(Subscription::id).containsExactly("s2");
    }

    @Test
    void deletingATopicDeletesItsSubscriptions() {
        store.createTopic("default", "a", T0);
        store.subscribe(sub("s1", "a", Filter.ALL, PayloadFormat.RAW, 0));
        assertThat(store.deleteTopic("default", "a")).isTrue();
        assertThat(store.deleteTopic("default", "a")).isFalse();
        assertThat(store.topic("default", "a")).isEmpty();
        store.createTopic("default", "a", T0);
        assertThat(store.subscriptions("default", "a")).isEmpty();
    }
}
