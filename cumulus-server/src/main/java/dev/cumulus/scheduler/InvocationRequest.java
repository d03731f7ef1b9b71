package dev.cumulus.scheduler;

/** An event on its way to an instance. */
public record InvocationRequest(String requestId, String traceId, byte[] payload) {}
