package dev.cumulus.runtime;

import dev.cumulus.function.CloudEvent;
import dev.cumulus.function.Context;
import dev.cumulus.function.FunctionLogger;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link Context} of one invocation; the remaining time is computed on each call. The fields
 * after {@code logger} are what only a Lambda {@code Context} shows (see {@link LambdaContexts}):
 * each may be null. {@code cloudEventJson} is the {@code Cumulus-Cloud-Event} header, parsed only
 * when the function asks. {@code executionToken} is the invocation's token, null without a role.
 */
record InvocationContext(String requestId, String functionName, String functionVersion, int memoryLimitMb,
        long deadlineMs, FunctionLogger logger, String invokedFunctionArn, String traceId, String clientContext,
        String cognitoIdentity, String logGroupName, String logStreamName, String cloudEventJson,
        String executionToken) implements Context {
    InvocationContext(String requestId, String functionName, String functionVersion, int memoryLimitMb,
            long deadlineMs, FunctionLogger logger, String invokedFunctionArn, String traceId, String clientContext,
            String cognitoIdentity, String logGroupName, String logStreamName, String cloudEventJson) {
        this(requestId, functionName, functionVersion, memoryLimitMb, deadlineMs, logger, invokedFunctionArn, traceId,
                clientContext, cognitoIdentity, logGroupName, logStreamName, cloudEventJson, null);
    }

    InvocationContext(String requestId, String functionName, String functionVersion, int memoryLimitMb,
            long deadlineMs, FunctionLogger logger) {
        this(requestId, functionName, functionVersion, memoryLimitMb, deadlineMs, logger, null);
    }

    InvocationContext(String requestId, String functionName, String functionVersion, int memoryLimitMb,
            long deadlineMs, FunctionLogger logger, String cloudEventJson) {
        this(requestId, functionName, functionVersion, memoryLimitMb, deadlineMs, logger, null, null, null, null,
                null, null, cloudEventJson);
    }

    @Override
    public long remainingTimeMillis() {
        return Math.max(0, deadlineMs - System.currentTimeMillis());
    }

    /**
     * The end user a route verified, from the Cognito identity header: the node sends
     * {@code cognitoIdentityPoolId} {@code cumulus:project:<project>}, the user id as
     * {@code cognitoIdentityId}, and {@code email} and {@code claims} beside them.
     */
    @Override
    public Optional<dev.cumulus.function.EndUser> user() {
        if (cognitoIdentity == null || cognitoIdentity.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (!(JsonParser.parse(cognitoIdentity) instanceof Map<?, ?> doc)
                    || !(doc.get("cognitoIdentityPoolId") instanceof String pool) || !pool.startsWith("cumulus:project:")
                    || !(doc.get("cognitoIdentityId") instanceof String id)) {
                return Optional.empty();
            }
            Map<String, Object> claims = new java.util.LinkedHashMap<>();
            if (doc.get("claims") instanceof Map<?, ?> given) {
                given.forEach((k, v) -> claims.put(String.valueOf(k), v));
            }
            return Optional.of(new dev.cumulus.function.EndUser(id, doc.get("email") instanceof String e ? e : null,
                    claims));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Empty when the node sent no attributes, or ones that are not a JSON object with an id. */
    @Override
    public Optional<CloudEvent> cloudEvent() {
        if (cloudEventJson == null || cloudEventJson.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (!(JsonParser.parse(cloudEventJson) instanceof Map<?, ?> a) || !(a.get("id") instanceof String id)) {
                return Optional.empty();
            }
            Object time = a.get("time");
            return Optional.of(new CloudEvent(id, text(a, "source"), text(a, "specversion"), text(a, "type"),
                    text(a, "subject"), time instanceof String t ? Instant.parse(t) : null, text(a, "datacontenttype")));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Without the token: a function that prints its Context must not put a credential in its log. */
    @Override
    public String toString() {
        return "Context[requestId=" + requestId + ", functionName=" + functionName + ", functionVersion="
                + functionVersion + "]";
    }

    @Override
    public Optional<String> token() {
        return executionToken == null || executionToken.isEmpty() ? Optional.empty() : Optional.of(executionToken);
    }

    @Override
    public dev.cumulus.function.Topics topics() {
        return NodeServices.current().topics();
    }

    @Override
    public dev.cumulus.function.Functions functions() {
        return NodeServices.current().functions();
    }

    @Override
    public dev.cumulus.function.Mail mail() {
        return NodeServices.current().mail();
    }

    @Override
    public dev.cumulus.function.Storage storage() {
        return NodeServices.current().storage(executionToken);
    }

    @Override
    public dev.cumulus.function.Documents documents() {
        return NodeServices.current().documents(executionToken);
    }

    private static String text(Map<?, ?> attributes, String name) {
        return attributes.get(name) instanceof String s ? s : null;
    }
}
