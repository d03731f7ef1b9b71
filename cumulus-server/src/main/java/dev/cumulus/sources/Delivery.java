package dev.cumulus.sources;

import java.util.Map;

/**
 * One message taken from a broker and not yet acknowledged.
 *
 * @param key        what ordering is kept per: the MQTT topic, NATS subject or AMQP queue
 * @param attributes broker facts about the message (topic, redelivery...), as SQS {@code attributes}
 * @param headers    user properties / headers, as SQS {@code messageAttributes}
 * @param handle     what the session needs to acknowledge it
 */
record Delivery(String messageId, String key, byte[] body, Map<String, String> attributes,
        Map<String, String> headers, long receivedAtMs, Object handle) {}
