package dev.cumulus.runtime;

/** One event handed out by {@code invocation/next}; {@code deadlineMs} is epoch milliseconds. */
record Invocation(String requestId, long deadlineMs, String functionArn, String traceId, byte[] event) {}
