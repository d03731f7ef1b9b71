package dev.cumulus.lambdaapi;

import java.util.Map;

/**
 * A refusal in Lambda's shape: HTTP status, {@code x-amzn-ErrorType} and
 * {@code {"Type": "User", "message": ...}}.
 *
 * @param extra more body fields (e.g. {@code retryAfterSeconds})
 * @param retryAfter a {@code Retry-After} header value, or null
 */
final class LambdaError extends RuntimeException {
    final int status;
    final String type;
    final Map<String, String> extra;
    final String retryAfter;
    /** "User", "Service", or null for the authentication errors, whose bodies carry only a message */
    final String kind;

    LambdaError(int status, String type, String message, String kind, Map<String, String> extra, String retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.kind = kind;
        this.extra = extra;
        this.retryAfter = retryAfter;
    }

    static LambdaError user(int status, String type, String message) {
        return new LambdaError(status, type, message, "User", Map.of(), null);
    }

    static LambdaError invalid(String message) {
        return user(400, "InvalidParameterValueException", message);
    }

    static LambdaError notFound(String message) {
        return user(404, "ResourceNotFoundException", message);
    }
}
