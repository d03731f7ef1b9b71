package dev.cumulus.runtime.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.util.function.BiFunction;

/**
 * Lambda's Context of one invocation. Every answer comes from the runtime's view of the
 * invocation, asked by method name and return type, the same view its {@code Proxy} fallback asks;
 * the interface types named here resolve to the function's copies.
 */
final class BridgedContext implements Context {
    private final BiFunction<String, Class<?>, Object> view;

    BridgedContext(BiFunction<String, Class<?>, Object> view) {
        this.view = view;
    }

    @Override
    public String getAwsRequestId() {
        return (String) view.apply("getAwsRequestId", String.class);
    }

    @Override
    public String getLogGroupName() {
        return (String) view.apply("getLogGroupName", String.class);
    }

    @Override
    public String getLogStreamName() {
        return (String) view.apply("getLogStreamName", String.class);
    }

    @Override
    public String getFunctionName() {
        return (String) view.apply("getFunctionName", String.class);
    }

    @Override
    public String getFunctionVersion() {
        return (String) view.apply("getFunctionVersion", String.class);
    }

    @Override
    public String getInvokedFunctionArn() {
        return (String) view.apply("getInvokedFunctionArn", String.class);
    }

    @Override
    public CognitoIdentity getIdentity() {
        return (CognitoIdentity) view.apply("getIdentity", CognitoIdentity.class);
    }

    @Override
    public ClientContext getClientContext() {
        return (ClientContext) view.apply("getClientContext", ClientContext.class);
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (Integer) view.apply("getRemainingTimeInMillis", int.class);
    }

    @Override
    public int getMemoryLimitInMB() {
        return (Integer) view.apply("getMemoryLimitInMB", int.class);
    }

    @Override
    public LambdaLogger getLogger() {
        return (LambdaLogger) view.apply("getLogger", LambdaLogger.class);
    }

    /** Also in cores that predate it: an extra public method there is harmless. */
    @Override
    public String getXrayTraceId() {
        return (String) view.apply("getXrayTraceId", String.class);
    }

    @Override
    public String toString() {
        return (String) view.apply("toString", String.class);
    }
}
