package dev.cumulus.function;

/** Writes one log line for the current invocation. Lines end up in {@code cumulus logs NAME}. */
@FunctionalInterface
public interface FunctionLogger {
    void log(String message);
}
