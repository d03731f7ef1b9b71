package dev.cumulus.invoke;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The end users the node verified for the invocations running now (routes and function URLs with
 * {@code auth: user}), by request id, from the start of the invocation to its end: what lets a
 * function act for its caller without handling the caller's token (ADR 0035).
 */
public final class InvocationCallers {
    /** @param cognitoIdentity the identity document the function got ({@link FunctionUrlEvents#cognitoIdentity}) */
    public record Verified(String project, String functionName, String cognitoIdentity) {}

    private final Map<String, Verified> running = new ConcurrentHashMap<>();

    /** The verified caller of the running invocation {@code requestId}; empty when it has none or has ended. */
    public Optional<Verified> of(String requestId) {
        return requestId == null ? Optional.empty() : Optional.ofNullable(running.get(requestId));
    }

    /** @return what forgets it, once the invocation has ended */
    Runnable register(String requestId, Verified caller) {
        running.put(requestId, caller);
        return () -> running.remove(requestId, caller);
    }
}
