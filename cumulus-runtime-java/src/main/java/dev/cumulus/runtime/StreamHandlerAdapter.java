package dev.cumulus.runtime;

import dev.cumulus.function.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

/** A {@link RequestStreamHandler}: the function sees and writes raw bytes. */
record StreamHandlerAdapter(RequestStreamHandler function) implements Handler {
    @Override
    public byte[] handle(byte[] event, InvocationContext context) throws Throwable {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        function.handleRequest(new ByteArrayInputStream(event), out, context);
        return out.toByteArray();
    }
}
