package dev.cumulus.sources;

import java.time.Instant;

/**
 * One mapping from a broker to a function, as stored. Exactly one of {@code topic} (MQTT),
 * {@code stream}/{@code subject} (NATS; a stream, a subject inside it, or a subject whose stream
 * is looked up) or {@code queue} (AMQP) is set, as {@link MappingSpecs} checks.
 *
 * @param project   the project whose function it invokes; names are unique per project
 * @param function  {@code NAME} or {@code NAME:QUALIFIER}
 * @param onFailure null when failed batches are only logged and counted
 */
record SourceMapping(
        String project,
        String name,
        SourceType type,
        String url,
        String topic,
        String subject,
        String stream,
        String queue,
        String function,
        int batchSize,
        int batchWindowMs,
        boolean ordered,
        int maxRetries,
        OnFailure onFailure,
        boolean enabled,
        Instant createdAt) {

    SourceMapping withEnabled(boolean on) {
        return new SourceMapping(project, name, type, url, topic, subject, stream, queue, function, batchSize, batchWindowMs,
                ordered, maxRetries, onFailure, on, createdAt);
    }

    /** What the mapping reads, for messages and {@code eventSourceARN}. */
    String target() {
        return switch (type) {
            case MQTT -> topic;
            case NATS -> stream != null ? stream + (subject != null ? "/" + subject : "") : subject;
            case AMQP -> queue;
        };
    }

    /**
     * {@code eventSourceARN} of its records: {@code cumulus:<type>:<mapping>} in the default
     * project (as before projects), {@code cumulus:<type>:<project>/<mapping>} in any other.
     */
    String arn() {
        return type.eventSource() + ":" + (project.equals(dev.cumulus.registry.FunctionArns.DEFAULT_PROJECT) ? name : project + "/" + name);
    }

    /** The key of a running mapping: names are unique per project only. */
    String key() {
        return project + "/" + name;
    }
}
