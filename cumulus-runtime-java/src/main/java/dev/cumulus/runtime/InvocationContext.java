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
    public dev.cumulus.function.Storage storage() {
        return NodeServices.current().storage(executionToken);
    }

    private static String text(Map<?, ?> attributes, String name) {
        return attributes.get(name) instanceof String s ? s : null;
    }
}
