package dev.cumulus.platform;

import dev.cumulus.async.CloudEvent;
import dev.cumulus.async.TopicSink;

/**
 * Breaks the one construction cycle of the node: topics publish through the AsyncInvoker, and
 * the AsyncInvoker ({@code AsyncDelivery}) delivers {@code topic:NAME} destinations to topics.
 * AsyncDelivery gets this holder; topics are bound into it right after they are built. Its
 * dispatcher may already run a recovered topic delivery in between: that try fails with an
 * ordinary error and is retried, never dropped.
 */
final class LateTopicSink implements TopicSink {
    private volatile TopicSink bound;

    void bind(TopicSink topics) {
        if (bound != null) {
            throw new IllegalStateException("topics are bound already");
        }
        bound = topics;
    }

    @Override
    public boolean exists(String project, String topic) {
        TopicSink sink = bound;
        return sink != null && sink.exists(project, topic);
    }

    @Override
    public void publish(String project, String topic, CloudEvent event) {
        TopicSink sink = bound;
        if (sink == null) {
            throw new IllegalStateException("topics are not started yet; topic " + topic + " is tried again later");
        }
        sink.publish(project, topic, event);
    }
}
