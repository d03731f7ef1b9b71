package dev.cumulus.invoke;

import dev.cumulus.registry.FunctionArns;

/**
 * Accepts events for asynchronous invocation (Lambda's {@code Event} invocation type, topic
 * subscriptions, schedules, event source failures). {@link #submit} returns once the event is
 * accepted; the function runs later, with retries.
 */
public interface AsyncInvoker {

    /**
     * @param qualifiedName  {@code name} or {@code name:qualifier}
     * @param payload        the event, JSON
     * @param idempotencyKey null, or a key that makes repeated submits of the same event collapse into one
     * @param source         CloudEvents {@code source} (e.g. {@code /v1/functions/f/invoke}); null for the default
     * @param type           CloudEvents {@code type}; null for the default
     * @param subject        CloudEvents {@code subject}; null when none
     * @param eventId        CloudEvents {@code id}, e.g. one topic event fanned out to several
     *                       subscribers; null to use the request id
     * @param format         what the function gets as its input; null for {@link PayloadFormat#RAW}
     * @param project        the project whose function {@code qualifiedName} names
     */
    record Event(String qualifiedName, byte[] payload, String idempotencyKey, String source, String type,
            String subject, String eventId, PayloadFormat format, String project) {
        public Event {
            project = project == null ? FunctionArns.DEFAULT_PROJECT : project;
        }

        /** An event for a function of the default project. */
        public Event(String qualifiedName, byte[] payload, String idempotencyKey, String source, String type,
                String subject, String eventId, PayloadFormat format) {
            this(qualifiedName, payload, idempotencyKey, source, type, subject, eventId, format, null);
        }

        public Event(String qualifiedName, byte[] payload) {
            this(qualifiedName, payload, null, null, null, null);
        }

        public Event(String qualifiedName, byte[] payload, String idempotencyKey, String source, String type,
                String subject) {
            this(qualifiedName, payload, idempotencyKey, source, type, subject, null, PayloadFormat.RAW);
        }

        /** The same event for the function of that name in {@code project}. */
        public Event inProject(String project) {
            return new Event(qualifiedName, payload, idempotencyKey, source, type, subject, eventId, format, project);
        }
    }

    /** The input a function gets for an event; it always sees the CloudEvent attributes in its Context. */
    enum PayloadFormat {
        /** the event data as it was sent */
        RAW,
        /** the whole CloudEvent in structured JSON mode, data included */
        CLOUDEVENTS
    }

    /** Largest event accepted, in bytes of its data; a larger one is refused with 413. */
    int MAX_EVENT_BYTES = 256 * 1024;

    /** @param duplicate true when the idempotency key matched an earlier event, whose id this is */
    record Accepted(String requestId, boolean duplicate) {}

    /**
     * @throws dev.cumulus.errors.ApiException if the function does not exist or the event is refused
     */
    Accepted submit(Event event);
}
