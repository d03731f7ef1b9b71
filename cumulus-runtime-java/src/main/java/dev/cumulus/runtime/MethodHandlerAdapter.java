package dev.cumulus.runtime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;

/**
 * A {@code Class::method} handler of one of the four supported shapes, or a Lambda
 * {@code RequestHandler}/{@code RequestStreamHandler} called through its interface method. With
 * {@code lambda} set the context parameter is Lambda's {@code Context}, made per invocation.
 */
record MethodHandlerAdapter(Object target, Method method, Shape shape, Type inputType, LambdaContexts lambda)
        implements Handler {
    enum Shape {
        STREAMS_CONTEXT(3), STREAMS(2), EVENT_CONTEXT(2), EVENT(1);

        final int arity;

        Shape(int arity) {
            this.arity = arity;
        }
    }

    @Override
    public byte[] handle(byte[] event, InvocationContext invocation) throws Throwable {
        Object context = shape == Shape.STREAMS || shape == Shape.EVENT ? null
                : lambda != null ? lambda.contextFor(invocation) : invocation;
        switch (shape) {
            case STREAMS_CONTEXT, STREAMS -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayInputStream in = new ByteArrayInputStream(event);
                call(shape == Shape.STREAMS ? new Object[] {in, out} : new Object[] {in, out, context});
                return out.toByteArray();
            }
            default -> {
                Object input = EventCodec.decode(event, inputType);
                Object result = call(shape == Shape.EVENT ? new Object[] {input} : new Object[] {input, context});
                return lambda != null ? EventCodec.encodeForLambda(result) : EventCodec.encode(result);
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
