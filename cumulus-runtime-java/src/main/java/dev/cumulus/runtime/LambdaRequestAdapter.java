package dev.cumulus.runtime;

import java.lang.reflect.Type;
import java.util.function.BiFunction;

/**
 * A Lambda {@code RequestHandler} called through its interface by the bridge's
 * {@code RequestCall} ({@link LambdaBridge}): no reflective call on the first invocation, and what
 * the handler throws comes out as it was thrown. The result is written as Lambda's serialiser
 * writes it.
 */
record LambdaRequestAdapter(BiFunction<Object, Object, Object> call, Type inputType, LambdaContexts lambda)
        implements Handler {
    @Override
    public byte[] handle(byte[] event, InvocationContext invocation) {
        Object input = EventCodec.decode(event, inputType);
        return EventCodec.encodeForLambda(call.apply(input, lambda.contextFor(invocation)));
    }
}
