package dev.cumulus.function;

import java.time.Instant;

/**
 * The CloudEvents 1.0 context attributes of the event an invocation serves (asynchronous
 * invocations, topic messages and other triggered events carry one).
 *
 * @param subject null when the event has none
 */
public record CloudEvent(String id, String source, String specVersion, String type, String subject, Instant time,
        String dataContentType) {}
