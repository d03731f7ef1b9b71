package dev.cumulus.async;

/** Where {@code topic:NAME} destinations deliver: the topics capability implements it (ADR 0015). */
public interface TopicSink {

    boolean exists(String project, String topic);

    /**
     * Publishes {@code event} to the topic; it is durable once this returns.
     *
     * @throws dev.cumulus.errors.ApiException 404 when the topic does not exist (the delivery ends
     *     undeliverable); any other exception is retried
     */
    void publish(String project, String topic, CloudEvent event);
}
