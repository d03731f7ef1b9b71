package dev.cumulus.runtime;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import dev.cumulus.function.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;

/**
 * Turns {@code _HANDLER} into a ready {@link Handler}: loads the class in the function's own
 * loader, runs its static initialiser and constructor, and picks the method to call. All of it
 * happens before the first {@code invocation/next}, so init time is reported apart from the first
 * invocation, and every failure is an {@link InitException} with the error type to report.
 */
final class HandlerLoader {
    private HandlerLoader() {}

    /** Also makes the function's loader the thread's context loader, which frameworks look up. */
    static Handler load(String taskRoot, String handlerSpec) throws InitException {
        if (handlerSpec == null) {
            throw new InitException(InitException.MALFORMED_HANDLER, "_HANDLER is not set", null);
        }
        String className = handlerSpec.trim();
        String methodName = null;
        int sep = className.indexOf("::");
        if (sep >= 0) {
            methodName = className.substring(sep + 2);
            className = className.substring(0, sep);
        }
        if (className.isEmpty() || (methodName != null && (methodName.isEmpty() || methodName.contains(":")))) {
            throw new InitException(InitException.MALFORMED_HANDLER,
                    "Handler '" + handlerSpec + "' is not of the form com.example.Class or com.example.Class::method", null);
        }
        Class<?> type = loadClass(taskRoot, className);
        return methodName == null ? fromInterface(type) : fromMethod(type, methodName);
    }

    private static Class<?> loadClass(String taskRoot, String className) throws InitException {
        if (taskRoot == null) {
            throw new InitException(InitException.INVALID_TASK_ROOT, "LAMBDA_TASK_ROOT is not set", null);
        }
        Path root = Path.of(taskRoot);
        if (!Files.isDirectory(root)) {
            throw new InitException(InitException.INVALID_TASK_ROOT,
                    "LAMBDA_TASK_ROOT " + taskRoot + " is not a directory", null);
        }
        URLClassLoader loader;
        try {
            loader = FunctionClassLoader.create(root);
        } catch (IOException e) {
            throw new InitException(InitException.INVALID_TASK_ROOT, "Cannot read " + taskRoot + ": " + e, e);
        }
        Thread.currentThread().setContextClassLoader(loader);
        try {
            return Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            throw new InitException(InitException.CLASS_NOT_FOUND, "Class not found: " + className, e);
        } catch (NoClassDefFoundError e) {
            throw new InitException(InitException.CLASS_NOT_FOUND,
                    "Class " + className + " needs a class that is missing: " + e.getMessage(), e);
        } catch (ExceptionInInitializerError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new InitException(InitException.HANDLER_INIT_ERROR,
                    "Static initialiser of " + className + " threw " + cause, cause);
        } catch (LinkageError e) {
            throw new InitException(InitException.HANDLER_INIT_ERROR, "Cannot load " + className + ": " + e, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Handler fromInterface(Class<?> type) throws InitException {
        if (RequestStreamHandler.class.isAssignableFrom(type)) {
            return new StreamHandlerAdapter((RequestStreamHandler) instantiate(type));
        }
        if (RequestHandler.class.isAssignableFrom(type)) {
            Type input = Types.erasedIfVariable(Types.typeArgumentOf(type, RequestHandler.class, 0));
            return new RequestHandlerAdapter((RequestHandler<Object, Object>) instantiate(type), input);
        }
        Handler lambda = fromLambdaInterface(type);
        if (lambda != null) {
            return lambda;
        }
        throw new InitException(InitException.INVALID_HANDLER, "Class " + type.getName() + " implements neither "
                + RequestHandler.class.getName() + " nor " + RequestStreamHandler.class.getName()
                + " (nor Lambda's " + LambdaContexts.REQUEST_HANDLER + " or " + LambdaContexts.STREAM_HANDLER
                + "); name a method with " + type.getName() + "::method", null);
    }

    /**
     * A handler written for AWS Lambda, whose interfaces come from the aws-lambda-java-core the
     * function bundles: recognised by name, called through the interface method, given a proxied
     * Lambda Context. Null when {@code type} implements neither Lambda interface.
     */
    private static Handler fromLambdaInterface(Class<?> type) throws InitException {
        Class<?> stream = LambdaContexts.implemented(type, LambdaContexts.STREAM_HANDLER);
        if (stream != null) {
            Method m = LambdaContexts.handleRequest(stream);
            return new MethodHandlerAdapter(instantiate(type), m, MethodHandlerAdapter.Shape.STREAMS_CONTEXT, null,
                    new LambdaContexts(m.getParameterTypes()[2]));
        }
        Class<?> request = LambdaContexts.implemented(type, LambdaContexts.REQUEST_HANDLER);
        if (request != null) {
            Type input = Types.erasedIfVariable(Types.typeArgumentOf(type, request, 0));
            Object target = instantiate(type);
            // precompiled glue where the function's core fits it (ADR 0046); reflection and proxies otherwise
            LambdaBridge bridge = LambdaBridge.of(request.getClassLoader());
            BiFunction<Object, Object, Object> call = bridge != null ? bridge.requestCall(target) : null;
            if (call != null) {
                return new LambdaRequestAdapter(call, input, new LambdaContexts(bridge));
            }
            Method m = LambdaContexts.handleRequest(request);
            return new MethodHandlerAdapter(target, m, MethodHandlerAdapter.Shape.EVENT_CONTEXT, input,
                    new LambdaContexts(m.getParameterTypes()[1]));
        }
        return null;
    }

    private static Handler fromMethod(Class<?> type, String name) throws InitException {
        Method best = null;
        MethodHandlerAdapter.Shape bestShape = null;
        boolean named = false;
        for (Method m : type.getMethods()) {
            if (!m.getName().equals(name) || m.isBridge() || m.isSynthetic()) {
                continue;
            }
            named = true;
            MethodHandlerAdapter.Shape shape = shape(m.getParameterTypes());
            // Richer shapes win (streams over events, with context over without); ties go to the
            // lexically first signature so that the choice never depends on reflection order.
            if (shape != null && (best == null || shape.ordinal() < bestShape.ordinal()
                    || (shape == bestShape && m.toString().compareTo(best.toString()) < 0))) {
                best = m;
                bestShape = shape;
            }
        }
        if (best == null) {
            throw new InitException(InitException.NO_SUCH_METHOD, named
                    ? "No public method " + type.getName() + "::" + name + " takes (I), (I, Context),"
                            + " (InputStream, OutputStream) or (InputStream, OutputStream, Context)"
                    : "No public method " + name + " in " + type.getName(), null);
        }
        best.trySetAccessible(); // a public method of a package-private class
        Object target = Modifier.isStatic(best.getModifiers()) ? null : instantiate(type);
        Type input = bestShape == MethodHandlerAdapter.Shape.EVENT || bestShape == MethodHandlerAdapter.Shape.EVENT_CONTEXT
                ? Types.erasedIfVariable(best.getGenericParameterTypes()[0]) : null;
        Class<?> context = bestShape.arity > 1 && bestShape != MethodHandlerAdapter.Shape.STREAMS
                ? best.getParameterTypes()[bestShape.arity - 1] : Context.class;
        return new MethodHandlerAdapter(target, best, bestShape, input,
                context == Context.class ? null : new LambdaContexts(context));
    }

    private static MethodHandlerAdapter.Shape shape(Class<?>[] p) {
        switch (p.length) {
            case 3:
                return p[0] == InputStream.class && p[1] == OutputStream.class && isContext(p[2])
                        ? MethodHandlerAdapter.Shape.STREAMS_CONTEXT : null;
            case 2:
                if (p[0] == InputStream.class && p[1] == OutputStream.class) {
                    return MethodHandlerAdapter.Shape.STREAMS;
                }
                return isContext(p[1]) ? MethodHandlerAdapter.Shape.EVENT_CONTEXT : null;
            case 1:
                return MethodHandlerAdapter.Shape.EVENT;
            default:
                return null;
        }
    }

    /** Ours, or the Lambda Context of a handler written for AWS Lambda. */
    private static boolean isContext(Class<?> type) {
        return type == Context.class || LambdaContexts.isLambdaContext(type);
    }

    private static Object instantiate(Class<?> type) throws InitException {
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new InitException(InitException.HANDLER_INIT_ERROR,
                    "Handler class " + type.getName() + " is abstract and cannot be instantiated", null);
        }
        Constructor<?> constructor;
        try {
            constructor = type.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            throw new InitException(InitException.NO_SUCH_METHOD,
                    "Handler class " + type.getName() + " has no no-argument constructor", e);
        }
        constructor.trySetAccessible();
        try {
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new InitException(InitException.HANDLER_INIT_ERROR,
                    "Constructor of " + type.getName() + " threw " + cause, cause);
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
            throw new InitException(InitException.HANDLER_INIT_ERROR,
                    "Cannot instantiate " + type.getName() + ": " + cause, cause);
        }
    }
}
