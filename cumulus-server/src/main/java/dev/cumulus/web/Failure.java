package dev.cumulus.web;

import dev.cumulus.errors.ApiException;
import dev.cumulus.scheduler.ThrottledException;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.io.EofException;

/**
 * A request that ends in an error, in the node's own terms (status, code, message, details,
 * {@code Retry-After}, {@code Allow}): {@link #of} is the one place that turns what a handler
 * threw into one. An {@link ErrorDialect} then writes it in its API's shape, reading
 * {@link #kind} and {@link #cause} where its shape needs more than the node's terms.
 */
public final class Failure {

    /** What went wrong, for dialects that name things differently. */
    public enum Kind {
        /** an {@link ApiException}: the request was refused */
        REFUSED,
        /** no route has the path */
        NO_ROUTE,
        /** the path exists with other methods */
        WRONG_METHOD,
        /** the function is at its limits: try again later */
        THROTTLED,
        /** the body passed its limit */
        TOO_LARGE,
        /** the body came too slowly */
        BODY_TIMEOUT,
        /** the node is stopping */
        SHUTTING_DOWN,
        /** the client left: there is nobody to answer */
        CLIENT_GONE,
        /** a bug: logged, answered without internals */
        INTERNAL
    }

    private final Kind kind;
    private final int status;
    private final String code;
    private final String message;
    private final Map<String, Object> details;
    private final String retryAfter;
    private final List<String> allow;
    private final Throwable cause;

    private Failure(Kind kind, int status, String code, String message, Map<String, Object> details, String retryAfter,
            List<String> allow, Throwable cause) {
        this.kind = kind;
        this.status = status;
        this.code = code;
        this.message = message;
        this.details = details;
        this.retryAfter = retryAfter;
        this.allow = allow;
        this.cause = cause;
    }

    /** What {@code thrown} means for the client. {@link Kind#INTERNAL} ones must be logged by the caller. */
    public static Failure of(Throwable thrown) {
        return switch (thrown) {
            // a 429 that says when to come back (retryAfterSeconds) says it in Retry-After too
            case ApiException e -> new Failure(Kind.REFUSED, e.status(), e.code(), e.getMessage(), e.details(),
                    e.status() == 429 && e.details().get("retryAfterSeconds") instanceof Number seconds
                            ? Long.toString(Math.max(1, seconds.longValue())) : null,
                    List.of(), e);
            case ThrottledException e -> new Failure(Kind.THROTTLED, 429, "TooManyRequests", e.getMessage(), Map.of(),
                    Long.toString(Math.max(1, e.retryAfter().toSeconds())), List.of(), e);
            case Exchange.BodyTooLargeException e -> new Failure(Kind.TOO_LARGE, 413, "PayloadTooLarge",
                    "the body is larger than " + e.limit() + " bytes", Map.of(), null, List.of(), e);
            case Exchange.BodyTimeoutException e -> new Failure(Kind.BODY_TIMEOUT, 408, "RequestTimeout", e.getMessage(),
                    Map.of(), null, List.of(), e);
            case EofException e -> new Failure(Kind.CLIENT_GONE, 499, "ClientGone", "the client left", Map.of(), null,
                    List.of(), e);
            case InterruptedException e -> new Failure(Kind.SHUTTING_DOWN, 503, "ShuttingDown", "the node is shutting down",
                    Map.of(), null, List.of(), e);
            default -> new Failure(Kind.INTERNAL, 500, "InternalError", "the node failed to handle the request", Map.of(),
                    null, List.of(), thrown);
        };
    }

    static Failure noRoute(String method, String path) {
        return new Failure(Kind.NO_ROUTE, 404, "NotFound", "no such endpoint: " + method + " " + path, Map.of(), null,
                List.of(), null);
    }

    static Failure wrongMethod(String method, String path, List<String> allowed) {
        return new Failure(Kind.WRONG_METHOD, 405, "MethodNotAllowed", "use " + String.join(" or ", allowed),
                Map.of(), null, List.copyOf(allowed), null);
    }

    /** A refusal before any handler ran (admission control), with a {@code Retry-After}. */
    public static Failure refused(int status, String code, String message, String retryAfter) {
        return new Failure(Kind.REFUSED, status, code, message, Map.of(), retryAfter, List.of(), null);
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String message() {
        return message;
    }

    /** Fields of the body beside the code and message; usually none. */
    public Map<String, Object> details() {
        return details;
    }

    /** The {@code Retry-After} value in seconds, or null. */
    public String retryAfter() {
        return retryAfter;
    }

    /** The methods the path takes ({@link Kind#WRONG_METHOD}); else empty. */
    public List<String> allow() {
        return allow;
    }

    /** What was thrown, or null for the router's and admission's own failures. */
    public Throwable cause() {
        return cause;
    }
}
