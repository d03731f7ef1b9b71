/**
 * The HTTP edge: the {@code /v1} control-plane API, synchronous invocation, function URLs and
 * health, with bearer-token authentication and one place that turns refusals into JSON errors.
 */
package dev.cumulus.edge;
