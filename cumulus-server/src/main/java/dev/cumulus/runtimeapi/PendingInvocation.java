package dev.cumulus.runtimeapi;

/**
 * An invocation handed to an instance through {@code invocation/next}.
 *
 * @param deadlineEpochMs wall-clock deadline, sent as {@code Lambda-Runtime-Deadline-Ms}
 * @param clientContext, cognitoIdentity, cloudEvent optional headers; null when absent
 * @param token the invocation's execution token, sent as {@code Lambda-Runtime-Cumulus-Token};
 *     null for a function without a role
 */
public record PendingInvocation(String requestId, long deadlineEpochMs, String functionArn, String traceId,
        byte[] payload, String clientContext, String cognitoIdentity, String cloudEvent, String token) {}
