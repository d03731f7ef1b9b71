package dev.cumulus.runtimeapi;

/**
 * An invocation handed to an instance through {@code invocation/next}.
 *
 * @param deadlineEpochMs wall-clock deadline, sent as {@code Lambda-Runtime-Deadline-Ms}
 * @param clientContext, cognitoIdentity, cloudEvent optional headers; null when absent
 */
public record PendingInvocation(String requestId, long deadlineEpochMs, String functionArn, String traceId,
        byte[] payload, String clientContext, String cognitoIdentity, String cloudEvent) {}
