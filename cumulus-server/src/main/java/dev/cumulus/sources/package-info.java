/**
 * Event source mappings: long-running consumers that take messages from an external broker (an
 * MQTT topic filter, a NATS JetStream stream, a RabbitMQ queue), hand them to a function in
 * SQS-shaped batches, and acknowledge them only once the function (or, after the retries, the
 * on-failure destination) has them. It owns the mapping table, the per-mapping consume loop and
 * connection state machine, and the {@code /v1/sources} API. See ADR 0014.
 */
package dev.cumulus.sources;
