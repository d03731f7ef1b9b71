package dev.cumulus.runtime;

/**
 * The function cannot be started; {@code errorType} is what goes in the
 * {@code Lambda-Runtime-Function-Error-Type} header of {@code init/error}
 * ({@code Runtime.ClassNotFound}, {@code Runtime.NoSuchMethod}, ...).
 */
final class InitException extends Exception {
    static final String INVALID_TASK_ROOT = "Runtime.InvalidTaskRoot";
    static final String MALFORMED_HANDLER = "Runtime.MalformedHandlerName";
    static final String CLASS_NOT_FOUND = "Runtime.ClassNotFound";
    static final String NO_SUCH_METHOD = "Runtime.NoSuchMethod";
    static final String HANDLER_INIT_ERROR = "Runtime.HandlerInitError";
    static final String INVALID_HANDLER = "Runtime.InvalidHandler";

    private final String errorType;

    InitException(String errorType, String message, Throwable cause) {
        super(message, cause);
        this.errorType = errorType;
    }

    String errorType() {
        return errorType;
    }
}
