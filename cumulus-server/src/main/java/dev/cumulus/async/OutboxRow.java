package dev.cumulus.async;

import dev.cumulus.async.DeliveryStateMachine.State;
import dev.cumulus.invoke.AsyncInvoker.PayloadFormat;
import java.time.Instant;

/**
 * One accepted event for one target, as the outbox holds it.
 *
 * @param target        the qualified function name ({@code name} or {@code name:qualifier}) or the topic
 * @param functionName  the function run, without qualifier; null for a topic delivery
 * @param originId      for an on-success/on-failure delivery, the event whose outcome it carries; else null
 * @param attempts      tries that counted against the retries
 * @param tries         every try, including throttled and interrupted ones (numbers the attempt list)
 */
record OutboxRow(String requestId, String project, TargetKind kind, String target, String functionName,
        String idempotencyKey, String originId, CloudEvent event, PayloadFormat format, State state, int attempts,
        int tries, Instant createdAt, Instant nextAttemptAt, Instant updatedAt, String errorType, String errorMessage) {

    enum TargetKind { FUNCTION, TOPIC }

    /** A new event, queued and due at once. */
    static OutboxRow queued(String requestId, String project, TargetKind kind, String target, String functionName,
            String idempotencyKey, String originId, CloudEvent event, PayloadFormat format, Instant now) {
        return new OutboxRow(requestId, project, kind, target, functionName, idempotencyKey, originId, event, format,
                State.QUEUED, 0, 0, now, now, now, null, null);
    }

    /** What the target receives: the data, or the whole structured event. */
    byte[] payload() {
        return format == PayloadFormat.CLOUDEVENTS ? event.structured() : event.data();
    }
}
