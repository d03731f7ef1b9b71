/**
 * Invocation: gives every event a request id, resolves the function version, runs it through
 * the scheduler, meters it, and maps function URL requests to and from HTTP API events.
 */
package dev.cumulus.invoke;
