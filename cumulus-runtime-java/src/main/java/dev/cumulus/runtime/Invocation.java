package dev.cumulus.runtime;

/**
 * One event handed out by {@code invocation/next}; {@code deadlineMs} is epoch milliseconds.
 * {@code clientContext} and {@code cognitoIdentity} are the JSON of the optional headers, or null;
 * {@code cloudEvent} is the {@code Cumulus-Cloud-Event} header (a JSON object of CloudEvents
 * attributes), or null; {@code token} is the {@code Lambda-Runtime-Cumulus-Token} header, the
 * invocation's execution token, or null when the function has no role.
 */
record Invocation(String requestId, long deadlineMs, String functionArn, String traceId, String clientContext,
        String cognitoIdentity, byte[] event, String cloudEvent, String token) {}
