package dev.cumulus.runtime;

import dev.cumulus.function.Context;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;

/** A {@code Class::method} handler of one of the four supported shapes. */
record MethodHandlerAdapter(Object target, Method method, Shape shape, Type inputType) implements Handler {
    enum Shape {
        STREAMS_CONTEXT(3), STREAMS(2), EVENT_CONTEXT(2), EVENT(1);

        final int arity;

        Shape(int arity) {
            this.arity = arity;
        }
    }

    @Override
    public byte[] handle(byte[] event, Context context) throws Throwable {
        switch (shape) {
            case STREAMS_CONTEXT, STREAMS -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayInputStream in = new ByteArrayInputStream(event);
                call(shape == Shape.STREAMS ? new Object[] {in, out} : new Object[] {in, out, context});
                return out.toByteArray();
            }
            default -> {
                Object input = EventCodec.decode(event, inputType);
                return EventCodec.encode(call(shape == Shape.EVENT ? new Object[] {input} : new Object[] {input, context}));
            }
        }
    }

    private Object call(Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
