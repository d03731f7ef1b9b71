package dev.cumulus.errors;

/**
 * A request the platform refuses, with the HTTP status and the machine-readable code the edge
 * puts in its JSON error body ({@code {"error": code, "message": message}}).
 *
 * <p>Every capability throws this for bad input so that the edge has one place that turns
 * refusals into responses; anything else that escapes is a bug and answers 500.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
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
}
