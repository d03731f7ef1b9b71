package dev.cumulus.async;

/**
 * Where {@code topic:NAME} destinations deliver: the topics capability implements it. Until one
 * is wired, {@link #NONE} knows no topic, so such destinations are refused when configured.
 */
public interface TopicSink {

    /** No topics exist. */
    TopicSink NONE = new TopicSink() {
        @Override
        public boolean exists(String project, String topic) {
            return false;
        }

        @Override
        public void publish(String project, String topic, CloudEvent event) {
            throw dev.cumulus.errors.ApiException.notFound("topic " + topic + " does not exist");
        }
    };

    boolean exists(String project, String topic);

    /**
     * Publishes {@code event} to the topic; it is durable once this returns.
     *
     * @throws dev.cumulus.errors.ApiException 404 when the topic does not exist (the delivery ends
     *     undeliverable); any other exception is retried
     */
    void publish(String project, String topic, CloudEvent event);
}
