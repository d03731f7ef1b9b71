package dev.cumulus.runtime;

/** Malformed JSON, or JSON that does not fit the Java type asked for. */
final class JsonException extends RuntimeException {
    JsonException(String message) {
        super(message);
    }

    JsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
