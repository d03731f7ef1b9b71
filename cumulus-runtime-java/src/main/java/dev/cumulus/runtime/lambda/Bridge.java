package dev.cumulus.runtime.lambda;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.cumulus.function.FunctionLogger;
import java.util.function.BiFunction;

/**
 * The one class the runtime instantiates here, by its no-argument constructor (a reflective call
 * every handler's init already makes, so the JDK has it ready); it makes the others with plain
 * {@code new}, so that no reflection or method handle is spun for them on a cold start.
 */
public final class Bridge implements BiFunction<String, Object, Object> {
    public static final String CONTEXT = "context";
    public static final String LOGGER = "logger";
    public static final String REQUEST_CALL = "requestCall";

    @Override
    @SuppressWarnings("unchecked")
    public Object apply(String kind, Object from) {
        return switch (kind) {
            case CONTEXT -> new BridgedContext((BiFunction<String, Class<?>, Object>) from);
            case LOGGER -> new BridgedLogger((FunctionLogger) from);
            case REQUEST_CALL -> new RequestCall((RequestHandler<Object, Object>) from);
            default -> throw new IllegalArgumentException("no bridge for " + kind);
        };
    }
}
