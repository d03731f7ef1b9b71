package dev.cumulus.runtime;

/**
 * One event handed out by {@code invocation/next}; {@code deadlineMs} is epoch milliseconds.
 *
 * @param cloudEvent the {@code Cumulus-Cloud-Event} header (a JSON object of CloudEvents attributes), or null
 */
record Invocation(String requestId, long deadlineMs, String functionArn, String traceId, byte[] event,
        String cloudEvent) {}
