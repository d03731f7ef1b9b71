package dev.cumulus.errors;

import java.util.Map;

/**
 * A request the platform refuses, with the HTTP status and the machine-readable code the edge
 * puts in its JSON error body ({@code {"error": code, "message": message}}).
 *
 * <p>A refusal may carry {@link #details}: more fields of the body, e.g. the list of what keeps a
 * function from being deleted, for clients to act on without parsing the message.
 *
 * <p>Every capability throws this for bad input so that the edge has one place that turns
 * refusals into responses; anything else that escapes is a bug and answers 500.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, Object> details;

    public ApiException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    /** @param details more fields of the error body beside {@code error} and {@code message} */
    public ApiException(int status, String code, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "NotFound", message);
    }

    public static ApiException conflict(String code, String message) {
        return new ApiException(409, code, message);
    }

    /** @param allowed the methods the resource takes, as the message says them: "GET or POST" */
    public static ApiException methodNotAllowed(String allowed) {
        return new ApiException(405, "MethodNotAllowed", "use " + allowed);
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, "PayloadTooLarge", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Fields the error body has beside {@code error} and {@code message}; usually none. */
    public Map<String, Object> details() {
        return details;
    }
}
