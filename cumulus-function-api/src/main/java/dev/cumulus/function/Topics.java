package dev.cumulus.function;

/**
 * Publishing to the node's topics from inside a function, as that function: subscribers see the
 * event's CloudEvents {@code source} as {@code /functions/NAME}. Reached through
 * {@link Context#topics()}; each call is one request to the node, durable once it returns.
 */
public interface Topics {

    /**
     * Publishes {@code jsonData} with the default type ({@code dev.cumulus.topic.event}).
     *
     * @return the event id every subscriber sees
     * @throws ServiceException e.g. status 404 when the topic does not exist, 400 when the data is
     *     not JSON, 413 when it is larger than 256 KiB
     */
    default String publish(String topic, String jsonData) {
        return publish(topic, null, null, jsonData);
    }

    /**
     * @param type    CloudEvents {@code type}; null for the default
     * @param subject CloudEvents {@code subject}; null for none
     * @return the event id every subscriber sees
     * @throws ServiceException when the node refuses the event
     */
    default String publish(String topic, String type, String subject, String jsonData) {
        return publish(topic, null, type, subject, jsonData);
    }

    /**
     * @param eventId CloudEvents {@code id}, 1-200 visible ASCII characters; null for a fresh one.
     *     Publishing an id again invokes no subscriber twice, so a function that may run twice for
     *     one input (a retried batch) derives the id from its input.
     * @return the event id every subscriber sees
     * @throws ServiceException when the node refuses the event
     */
    String publish(String topic, String eventId, String type, String subject, String jsonData);
}
