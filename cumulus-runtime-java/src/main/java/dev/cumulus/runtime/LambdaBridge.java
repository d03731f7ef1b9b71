package dev.cumulus.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The classes of {@code dev.cumulus.runtime.lambda}, defined for one function against its own
 * aws-lambda-java-core: a loader whose parent is the loader of the function's Lambda interfaces,
 * and which defines the bridge package itself from bytes of the runtime jar. Every other name goes
 * to the function's loader, so the bridge sees exactly what the function sees plus the bridge.
 *
 * <p>Like Lambda's own runtime, the bridge implements the Context of the core it was compiled
 * against (1.4.0); cores add methods to it as defaults, so older and newer ones fit. Where the
 * function's copies do not link with it, {@link #of} returns null and callers use proxies and
 * reflection, which fit anything.
 */
final class LambdaBridge {
    private static final String PACKAGE = "dev.cumulus.runtime.lambda.";
    private static final String CONTEXT_CLASS = PACKAGE + "BridgedContext";
    /** By name, not {@code Bridge.class}: the runtime's own loader must never load the bridge. */
    private static final String ENTRY_CLASS = PACKAGE + "Bridge";
    private static final String[] CLASSES = {"Bridge", "BridgedContext", "BridgedLogger", "RequestCall"};
    /** The kinds {@code Bridge.apply} makes (its constants, repeated so as not to load it here). */
    private static final String CONTEXT = "context";
    private static final String LOGGER = "logger";
    private static final String REQUEST_CALL = "requestCall";

    /**
     * The bridge's class files, read once per process; a stem cell reads them while it waits
     * ({@link #preload}), since the first resource read from the runtime jar is slow. They are the
     * runtime's own bytes: nothing of any function.
     */
    private static volatile Map<String, byte[]> bytes;

    private final Class<?> contextInterface;
    private final BiFunction<String, Object, Object> bridge;

    private LambdaBridge(Class<?> contextInterface, BiFunction<String, Object, Object> bridge) {
        this.contextInterface = contextInterface;
        this.bridge = bridge;
    }

    /**
     * The bridge for the function whose Lambda interfaces {@code function} loads, or null if they do
     * not fit it.
     */
    @SuppressWarnings("unchecked")
    static LambdaBridge of(ClassLoader function) {
        if (function == null) {
            return null;
        }
        try {
            Class<?> contextInterface = Class.forName(LambdaContexts.CONTEXT, false, function);
            Loader loader = new Loader(function);
            if (!contextInterface.isAssignableFrom(loader.loadClass(CONTEXT_CLASS))) {
                return null; // the bridge resolved another copy of the interface than the handler's
            }
            Object entry = loader.loadClass(ENTRY_CLASS).getDeclaredConstructor().newInstance();
            return new LambdaBridge(contextInterface, (BiFunction<String, Object, Object>) entry);
        } catch (ReflectiveOperationException | LinkageError | ClassCastException | UncheckedIOException e) {
            return null;
        }
    }

    /**
     * Reads the bridge's class files now rather than on the first Lambda handler's init, and makes
     * one (empty) bridge loader, so that its class is in the AOT cache and initialised.
     */
    static void preload() {
        classFiles();
        new Loader(ClassLoader.getPlatformClassLoader());
    }

    /** The function's Lambda {@code Context}, which the bridge's Context implements. */
    Class<?> contextInterface() {
        return contextInterface;
    }

    /** Lambda's Context answering from {@code view}: method name and return type to value. */
    Object context(BiFunction<String, Class<?>, Object> view) {
        return bridge.apply(CONTEXT, view);
    }

    /** Lambda's LambdaLogger writing to {@code target}. */
    Object logger(dev.cumulus.function.FunctionLogger target) {
        return bridge.apply(LOGGER, target);
    }

    /**
     * Calls {@code handler} through the function's Lambda {@code RequestHandler}; null if it is not
     * one of the copy the bridge sees.
     */
    @SuppressWarnings("unchecked")
    BiFunction<Object, Object, Object> requestCall(Object handler) {
        try {
            return (BiFunction<Object, Object, Object>) bridge.apply(REQUEST_CALL, handler);
        } catch (ClassCastException | LinkageError e) {
            return null;
        }
    }

    private static Map<String, byte[]> classFiles() {
        Map<String, byte[]> read = bytes;
        if (read == null) {
            read = new HashMap<>();
            for (String simpleName : CLASSES) {
                String name = PACKAGE + simpleName;
                try (InputStream in = LambdaBridge.class.getClassLoader()
                        .getResourceAsStream(name.replace('.', '/') + ".class")) {
                    if (in == null) {
                        throw new UncheckedIOException(new IOException(name + " is not in the runtime jar"));
                    }
                    read.put(name, in.readAllBytes());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            bytes = read;
        }
        return read;
    }

    /** Defines the bridge package from the runtime jar's bytes; delegates every other name to the function's loader. */
    private static final class Loader extends ClassLoader {
        Loader(ClassLoader function) {
            super("cumulus-lambda-bridge", function);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            byte[] definition = name.startsWith(PACKAGE) ? classFiles().get(name) : null;
            if (definition == null) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                return c != null ? c : defineClass(name, definition, 0, definition.length);
            }
        }
    }
}
