package dev.cumulus.runtime.lambda;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import dev.cumulus.function.FunctionLogger;
import java.nio.charset.StandardCharsets;

/**
 * Lambda's logger over the invocation's {@link FunctionLogger}. The {@code LogLevel} variants are
 * the interface's defaults, which log the message as the text format does (levels filter nothing
 * here); they are not named, so a core that predates {@code LogLevel} links this class too.
 */
final class BridgedLogger implements LambdaLogger {
    private final FunctionLogger target;

    BridgedLogger(FunctionLogger target) {
        this.target = target;
    }

    @Override
    public void log(String message) {
        target.log(String.valueOf(message));
    }

    @Override
    public void log(byte[] message) {
        target.log(message == null ? "null" : new String(message, StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "LambdaLogger";
    }
}
