package dev.cumulus.runtime;

import dev.cumulus.function.FunctionLogger;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;

/**
 * Lambda's {@code com.amazonaws.services.lambda.runtime.Context} for handlers written against
 * {@code aws-lambda-java-core}, without that library in the runtime: the function bundles the
 * interfaces, and the runtime answers them through {@link Proxy} objects made against the
 * function's own copies. The {@code Identity}, {@code ClientContext}, {@code Client} and
 * {@code LambdaLogger} interfaces are reached through the return types of the context's methods,
 * so nothing is looked up by name and a function that bundles an older core still works.
 *
 * <p>Where the function's interfaces fit the runtime's precompiled classes ({@link LambdaBridge}),
 * the Context and LambdaLogger are instances of those instead of proxies: generating a proxy class
 * costs a cold start milliseconds per interface. Both answer through the same {@link ContextView}.
 *
 * <p>Only a Lambda handler creates one of these, at init; other handlers pay nothing for it.
 */
final class LambdaContexts {
    static final String PACKAGE = "com.amazonaws.services.lambda.runtime.";
    static final String CONTEXT = PACKAGE + "Context";
    static final String REQUEST_HANDLER = PACKAGE + "RequestHandler";
    static final String STREAM_HANDLER = PACKAGE + "RequestStreamHandler";

    private static final Map<String, String> CLIENT_KEYS = Map.of("getInstallationId", "installation_id",
            "getAppTitle", "app_title", "getAppVersionName", "app_version_name", "getAppVersionCode",
            "app_version_code", "getAppPackageName", "app_package_name");
    private static final Map<String, String> IDENTITY_KEYS = Map.of("getIdentityId", "cognitoIdentityId",
            "getIdentityPoolId", "cognitoIdentityPoolId");

    private final Class<?>[] contextInterface;
    private final ClassLoader loader;
    /** Null when the function's interfaces do not fit it: then proxies answer. */
    private final LambdaBridge bridge;
    /** Synthesised once per process when the node gave none, in Lambda's {@code yyyy/MM/dd/[version]id} form. */
    private volatile String logStream;
    private volatile LoggerProxy logger;

    private record LoggerProxy(FunctionLogger target, Object proxy) {}

    /** Lambda's Context as {@code contextInterface}, the function's copy: the bridge's if it fits, else proxies. */
    LambdaContexts(Class<?> contextInterface) {
        this(contextInterface, fitting(LambdaBridge.of(contextInterface.getClassLoader()), contextInterface));
    }

    /** Lambda's Context as {@code bridge} makes it. */
    LambdaContexts(LambdaBridge bridge) {
        this(bridge.contextInterface(), bridge);
    }

    private LambdaContexts(Class<?> contextInterface, LambdaBridge bridge) {
        this.contextInterface = new Class<?>[] {contextInterface};
        this.loader = contextInterface.getClassLoader();
        this.bridge = bridge;
    }

    private static LambdaBridge fitting(LambdaBridge bridge, Class<?> contextInterface) {
        return bridge != null && bridge.contextInterface() == contextInterface ? bridge : null;
    }

    /** True for the function's copy of Lambda's {@code Context}, whichever loader defined it. */
    static boolean isLambdaContext(Class<?> type) {
        return type.getName().equals(CONTEXT);
    }

    /** The interface named {@code name} among everything {@code type} implements, or null. */
    static Class<?> implemented(Class<?> type, String name) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Class<?> itf : c.getInterfaces()) {
                Class<?> found = itf.getName().equals(name) ? itf : implemented(itf, name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** The one abstract {@code handleRequest} of a Lambda handler interface. */
    static Method handleRequest(Class<?> handlerInterface) {
        for (Method m : handlerInterface.getMethods()) {
            if (m.getName().equals("handleRequest") && !m.isDefault()) {
                return m;
            }
        }
        throw new IllegalStateException(handlerInterface.getName() + " has no handleRequest");
    }

    /** The Lambda context of one invocation. */
    Object contextFor(InvocationContext invocation) {
        ContextView view = new ContextView(invocation);
        return bridge != null ? bridge.context(view) : Proxy.newProxyInstance(loader, contextInterface, view);
    }

    /**
     * The answers of one invocation's Context, by method name and return type: for a proxy as its
     * invocation handler, for the bridge's Context as the function it asks.
     */
    private final class ContextView implements InvocationHandler, BiFunction<String, Class<?>, Object> {
        /** What {@link #answer} returns for a method it does not know. */
        private static final Object UNKNOWN = new Object();

        private final InvocationContext c;

        ContextView(InvocationContext c) {
            this.c = c;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            Object answer = method.getParameterCount() == 0 ? answer(method.getName(), method.getReturnType()) : UNKNOWN;
            return answer != UNKNOWN ? answer : other(proxy, method, args, description());
        }

        @Override
        public Object apply(String method, Class<?> returnType) {
            Object answer = answer(method, returnType);
            if (answer == UNKNOWN) {
                throw new UnsupportedOperationException("Context." + method + " is not provided by the Cumulus runtime");
            }
            return answer;
        }

        private String description() {
            return "Context[" + c.requestId() + "]";
        }

        private Object answer(String method, Class<?> returnType) {
            return switch (method) {
                case "getAwsRequestId" -> c.requestId();
                case "getLogGroupName" -> c.logGroupName() != null ? c.logGroupName() : "/aws/lambda/" + c.functionName();
                case "getLogStreamName" -> c.logStreamName() != null ? c.logStreamName() : logStream(c.functionVersion());
                case "getFunctionName" -> c.functionName();
                case "getFunctionVersion" -> c.functionVersion();
                case "getInvokedFunctionArn" -> c.invokedFunctionArn();
                case "getIdentity" -> identity(returnType);
                case "getClientContext" -> clientContext(returnType);
                case "getRemainingTimeInMillis" -> (int) Math.min(Integer.MAX_VALUE, c.remainingTimeMillis());
                case "getMemoryLimitInMB" -> c.memoryLimitMb();
                case "getLogger" -> logger(returnType, c.logger());
                case "getXrayTraceId" -> c.traceId();
                case "getTenantId" -> null; // Cumulus has no tenant isolation mode
                case "toString" -> description();
                default -> UNKNOWN;
            };
        }

        private Object identity(Class<?> type) {
            Map<String, Object> doc = document(c.cognitoIdentity());
            return doc == null ? null : values(type, doc, IDENTITY_KEYS);
        }

        private Object clientContext(Class<?> type) {
            Map<String, Object> doc = document(c.clientContext());
            if (doc == null) {
                return null;
            }
            return Proxy.newProxyInstance(loader, new Class<?>[] {type}, (proxy, method, args) -> switch (method.getName()) {
                case "getClient" -> doc.get("client") instanceof Map<?, ?> client
                        ? values(method.getReturnType(), client, CLIENT_KEYS) : null;
                case "getCustom" -> strings(doc.get("custom"));
                case "getEnvironment" -> strings(doc.get("env"));
                default -> other(proxy, method, args, "ClientContext");
            });
        }
    }

    private String logStream(String version) {
        String s = logStream;
        if (s == null) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            String id = Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
            s = LocalDate.now(ZoneOffset.UTC).toString().replace('-', '/') + "/[" + version + "]" + id;
            logStream = s;
        }
        return s;
    }

    private Object logger(Class<?> type, FunctionLogger target) {
        LoggerProxy cached = logger;
        if (cached == null || cached.target() != target) {
            cached = new LoggerProxy(target, bridge != null ? bridge.logger(target) : loggerProxy(type, target));
            logger = cached;
        }
        return cached.proxy();
    }

    private Object loggerProxy(Class<?> type, FunctionLogger target) {
        return Proxy.newProxyInstance(loader, new Class<?>[] {type}, (p, method, args) -> {
            if (method.getName().equals("log") && args != null && args.length >= 1) {
                // the LogLevel variants log the message as the text format does; levels filter nothing here
                target.log(args[0] instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                        : String.valueOf(args[0]));
                return null;
            }
            return other(p, method, args, "LambdaLogger");
        });
    }

    /** An interface of getters answered from a JSON object, {@code keys} mapping method to key. */
    private Object values(Class<?> type, Map<?, ?> doc, Map<String, String> keys) {
        return Proxy.newProxyInstance(loader, new Class<?>[] {type}, (proxy, method, args) -> {
            String key = keys.get(method.getName());
            if (key != null) {
                Object value = doc.get(key);
                return value == null ? null : value instanceof String s ? s : JsonWriter.write(value);
            }
            return other(proxy, method, args, type.getSimpleName() + doc);
        });
    }

    /** Object's methods, the interface's default methods, and a clear failure for anything newer. */
    private static Object other(Object proxy, Method method, Object[] args, String description) throws Throwable {
        switch (method.getName()) {
            case "toString":
                if (method.getParameterCount() == 0) {
                    return description;
                }
                break;
            case "hashCode":
                if (method.getParameterCount() == 0) {
                    return System.identityHashCode(proxy);
                }
                break;
            case "equals":
                if (method.getParameterCount() == 1) {
                    return proxy == args[0];
                }
                break;
            default:
                break;
        }
        if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        throw new UnsupportedOperationException(method.getDeclaringClass().getName() + "." + method.getName()
                + " is not provided by the Cumulus runtime");
    }

    /**
     * A header's JSON object: plain JSON as the Runtime API sends it, or base64-encoded JSON as
     * callers of Lambda's Invoke API pass the client context. Null when absent or not an object.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> document(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String text = header.trim();
        try {
            if (!text.startsWith("{")) {
                text = new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
            }
            return JsonParser.parse(text) instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
        } catch (IllegalArgumentException | JsonException e) { // not base64, or not JSON
            return null;
        }
    }

    /** A JSON object as the {@code Map<String, String>} Lambda hands out; other values as their JSON. */
    private static Map<String, String> strings(Object node) {
        if (!(node instanceof Map<?, ?> map)) {
            return null;
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Object v = e.getValue();
            result.put((String) e.getKey(), v == null ? null : v instanceof String s ? s : JsonWriter.write(v));
        }
        return result;
    }
}
