package dev.cumulus.runtime.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.function.BiFunction;

/**
 * Calls a Lambda {@code RequestHandler} through its interface, as Lambda's own runtime does: what
 * the handler throws comes out unwrapped, and no reflective accessor is made on the first call.
 */
final class RequestCall implements BiFunction<Object, Object, Object> {
    private final RequestHandler<Object, Object> handler;

    RequestCall(RequestHandler<Object, Object> handler) {
        this.handler = handler;
    }

    @Override
    public Object apply(Object input, Object context) {
        return handler.handleRequest(input, (Context) context);
    }
}
