package dev.cumulus.scheduler;

/**
 * An event on its way to an instance.
 *
 * @param clientContext  sent as {@code Lambda-Runtime-Client-Context} when not null
 * @param cognitoIdentity sent as {@code Lambda-Runtime-Cognito-Identity} when not null
 * @param cloudEvent     the event's CloudEvents attributes as a JSON object, sent as
 *                       {@code Cumulus-Cloud-Event} when not null
 */
public record InvocationRequest(String requestId, String traceId, byte[] payload, String clientContext,
        String cognitoIdentity, String cloudEvent) {

    public InvocationRequest(String requestId, String traceId, byte[] payload) {
        this(requestId, traceId, payload, null, null, null);
    }
}
