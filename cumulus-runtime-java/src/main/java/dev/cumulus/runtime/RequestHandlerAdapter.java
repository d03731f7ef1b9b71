package dev.cumulus.runtime;

import dev.cumulus.function.RequestHandler;
import java.lang.reflect.Type;

/** A {@link RequestHandler}, called through its interface: no reflection on the hot path. */
record RequestHandlerAdapter(RequestHandler<Object, Object> function, Type inputType) implements Handler {
    @Override
    public byte[] handle(byte[] event, InvocationContext context) {
        return EventCodec.encode(function.handleRequest(EventCodec.decode(event, inputType), context));
    }
}
