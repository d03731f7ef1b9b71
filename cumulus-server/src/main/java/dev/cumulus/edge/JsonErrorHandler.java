package dev.cumulus.edge;

import dev.cumulus.web.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty raises before a request reaches the edge handler (a malformed URI, oversized
 * headers, a bad HTTP message) get the same JSON error body as everything else, never HTML.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) throws IOException {
        String reason = message != null ? message : HttpStatus.getMessage(code);
        byte[] body = Json.write(Map.of("error", errorCode(code), "message", reason));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        Content.Sink.write(response, true, ByteBuffer.wrap(body));
        callback.succeeded();
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, org.eclipse.jetty.http.HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(Json.write(Map.of("error", errorCode(status),
                "message", reason != null ? reason : HttpStatus.getMessage(status))));
    }

    private static String errorCode(int status) {
        return switch (status) {
            case 400 -> "BadRequest";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 413 -> "PayloadTooLarge";
            case 414 -> "UriTooLong";
            case 431 -> "HeadersTooLarge";
            default -> status >= 500 ? "InternalError" : "HttpError" + status;
        };
    }
}
