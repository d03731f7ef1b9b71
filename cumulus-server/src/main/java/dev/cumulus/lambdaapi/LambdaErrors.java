package dev.cumulus.lambdaapi;

import dev.cumulus.invoke.Invoker;
import dev.cumulus.web.ErrorDialect;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Failure;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * Lambda's error shape, which the AWS SDKs map to their exception classes: the status,
 * {@code x-amzn-ErrorType}, {@code x-amzn-RequestId} and {@code {"Type": "User", "message": ...}}
 * ({@code "Service"} for the node's own failures, no {@code Type} for authentication errors).
 */
final class LambdaErrors implements ErrorDialect {
    /** The request attribute holding the request id the call was given, for its error too. */
    static final String REQUEST_ID = "cumulus.lambda.requestId";
    /** What SigV4 refuses with: Lambda's bodies for these carry only a message. */
    private static final Set<String> AUTHENTICATION = Set.of("MissingAuthenticationTokenException",
            "IncompleteSignatureException", "InvalidSignatureException", "UnrecognizedClientException");

    /** One error as Lambda says it. */
    record Shape(int status, String type, String kind, String message, Map<String, String> extra, String retryAfter) {}

    @Override
    public void write(Failure failure, Request request, Response response) throws IOException {
        Shape shape = shape(failure, request);
        String requestId = request.getAttribute(REQUEST_ID) instanceof String id ? id : Invoker.newRequestId();
        response.getHeaders().put("x-amzn-RequestId", requestId);
        response.getHeaders().put("x-amzn-ErrorType", shape.type());
        if (shape.retryAfter() != null) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, shape.retryAfter());
        }
        if (!failure.allow().isEmpty()) {
            response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", failure.allow()));
        }
        Map<String, String> body = new LinkedHashMap<>();
        if (shape.kind() != null) {
            body.put("Type", shape.kind());
        }
        body.put("message", shape.message());
        body.putAll(shape.extra());
        Exchange.write(response, shape.status(), "application/json", Json.write(body));
    }

    static Shape shape(Failure failure, Request request) {
        return switch (failure.kind()) {
            case REFUSED -> refused(failure);
            // a path or method Lambda has no operation for is an unknown operation, as on AWS
            case NO_ROUTE, WRONG_METHOD -> user(404, "UnknownOperationException", "Cumulus does not serve "
                    + request.getMethod() + " " + request.getHttpURI().getPath()
                    + " (docs/lambda-compatibility.md lists the operations it does)");
            case THROTTLED -> new Shape(429, "TooManyRequestsException", "User", failure.message(),
                    Map.of("retryAfterSeconds", failure.retryAfter(), "Reason", "ConcurrentInvocationLimitExceeded"),
                    failure.retryAfter());
            case TOO_LARGE -> user(413, "RequestTooLargeException", "Request must be smaller than "
                    + ((dev.cumulus.web.Exchange.BodyTooLargeException) failure.cause()).limit()
                    + " bytes for this operation");
            case BODY_TIMEOUT -> user(408, "RequestTimeoutException", failure.message());
            case SHUTTING_DOWN -> new Shape(503, "ServiceException", "Service", "the node is shutting down", Map.of(), null);
            case CLIENT_GONE, INTERNAL -> new Shape(500, "ServiceException", "Service",
                    "the node failed to handle the request", Map.of(), null);
        };
    }

    /** A refusal: Lambda's own type as it is, the node's codes under Lambda's names. */
    static Shape refused(Failure failure) {
        int status = failure.status();
        String code = failure.code();
        String message = failure.message();
        if (AUTHENTICATION.contains(code)) {
            return new Shape(status, code, null, message, Map.of(), null);
        }
        if (code.endsWith("Exception")) {
            return new Shape(status, code, status >= 500 ? "Service" : "User", message, Map.of(), failure.retryAfter());
        }
        return switch (status) {
            case 404 -> user(404, "ResourceNotFoundException", message);
            case 403 -> user(403, "AccessDeniedException", message);
            case 409 -> user(409, "ResourceConflictException", message);
            case 412 -> user(412, "PreconditionFailedException", message);
            case 413 -> user(413, "RequestTooLargeException", message);
            case 400 -> code.equals("MalformedJson")
                    ? user(400, "InvalidRequestContentException", message)
                    : user(400, "InvalidParameterValueException", message);
            default -> status >= 500
                    ? new Shape(status, "ServiceException", "Service", message, Map.of(), null)
                    : user(status, "InvalidParameterValueException", message);
        };
    }

    private static Shape user(int status, String type, String message) {
        return new Shape(status, type, "User", message, Map.of(), null);
    }
}
