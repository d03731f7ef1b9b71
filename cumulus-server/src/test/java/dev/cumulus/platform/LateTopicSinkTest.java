package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.async.CloudEvent;
import dev.cumulus.async.TopicSink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The holder that breaks the topics/AsyncDelivery cycle: unbound it knows no topic and refuses retryably. */
class LateTopicSinkTest {
    private static final CloudEvent EVENT = new CloudEvent("e1", "/s", "t", null, Instant.EPOCH, "{}".getBytes());

    /** A sink with one topic, recording what it got. */
    static final class OneTopic implements TopicSink {
        final List<String> published = new ArrayList<>();

        @Override
        public boolean exists(String project, String topic) {
            return topic.equals("alerts");
        }

        @Override
        public void publish(String project, String topic, CloudEvent event) {
            published.add(project + "/" + topic + "/" + event.id());
        }
    }

    @Test
    void unboundItKnowsNoTopicAndAPublishFailsWithARetriedError() {
        LateTopicSink sink = new LateTopicSink();
        assertThat(sink.exists("default", "alerts")).isFalse();
        // not an ApiException: the dispatcher retries it rather than ending the delivery undeliverable
        assertThatThrownBy(() -> sink.publish("default", "alerts", EVENT)).isExactlyInstanceOf(IllegalStateException.class);
    }

    @Test
    void boundItDelegates() {
        LateTopicSink sink = new LateTopicSink();
        OneTopic topics = new OneTopic();
        sink.bind(topics);
        assertThat(sink.exists("default", "alerts")).isTrue();
        assertThat(sink.exists("default", "other")).isFalse();
        sink.publish("default", "alerts", EVENT);
        assertThat(topics.published).containsExactly("default/alerts/e1");
    }

    @Test
    void itIsBoundOnce() {
        LateTopicSink sink = new LateTopicSink();
        sink.bind(new OneTopic());
        assertThatThrownBy(() -> sink.bind(new OneTopic())).isInstanceOf(IllegalStateException.class);
    }
}
