package dev.cumulus.function;

/**
 * A node service (see {@link Context#topics()}) refused a call or could not be reached.
 *
 * @see #status()
 */
public class ServiceException extends RuntimeException {
    private final int status;
    private final String errorType;

    public ServiceException(int status, String errorType, String message) {
        super(errorType + ": " + message);
        this.status = status;
        this.errorType = errorType;
    }

    /** The HTTP status the node answered (404 for an unknown topic); 0 when it could not be reached. */
    public int status() {
        return status;
    }

    /** The node's error code, such as {@code NotFound} or {@code MalformedJson}. */
    public String errorType() {
        return errorType;
    }
}
