/**
 * Asynchronous invocation: the durable outbox every accepted event is written to before the
 * caller hears 202, the dispatcher that delivers it (retries with backoff, maximum event age,
 * on-success and on-failure destinations), the CloudEvents envelope events travel in, and the
 * {@code /v1/invocations} API that shows each event's state and attempts.
 */
package dev.cumulus.async;
