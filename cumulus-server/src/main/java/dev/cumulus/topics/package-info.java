/**
 * Topics: project-scoped publish/subscribe (ADR 0015). Owns the topic and subscription tables,
 * the {@code /v1/topics} API, the fan-out of a published event to the matching subscriptions
 * (one asynchronous invocation each, through {@link dev.cumulus.invoke.AsyncInvoker}), and the
 * publish endpoint instances reach on their Runtime API socket. It is the node's
 * {@link dev.cumulus.async.TopicSink} and the event sources' topic publisher.
 */
package dev.cumulus.topics;
