package dev.cumulus.storage;

import dev.cumulus.web.ErrorDialect;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Failure;
import java.io.IOException;
import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * S3's error shape, which the AWS SDKs and CLI map to their exceptions:
 * {@code <Error><Code>NoSuchKey</Code><Message>..</Message><Resource>..</Resource><RequestId>..</RequestId></Error>}
 * (no body for HEAD, as S3). The node's own failures get S3's names: an unknown operation is
 * {@code NotImplemented}, a too large body {@code EntityTooLarge}, a bug {@code InternalError}.
 */
final class S3Errors implements ErrorDialect {
    @Override
    public void write(Failure failure, Request request, Response response) throws IOException {
        int status = failure.status();
        String code = failure.code();
        String message = failure.message();
        switch (failure.kind()) {
            case NO_ROUTE -> {
                status = 501;
                code = "NotImplemented";
                message = "A header or query you provided implies functionality that is not implemented: "
                        + request.getMethod() + " " + request.getHttpURI().getPath();
            }
            case WRONG_METHOD -> {
                code = "MethodNotAllowed";
                message = "The specified method is not allowed against this resource.";
                response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", failure.allow()));
            }
            case TOO_LARGE -> {
                status = 400;
                code = "EntityTooLarge";
                message = "Your proposed upload exceeds the maximum allowed size";
            }
            case BODY_TIMEOUT -> {
                status = 400;
                code = "RequestTimeout";
            }
            case THROTTLED -> {
                status = 503;
                code = "SlowDown";
            }
            case SHUTTING_DOWN -> {
                status = 503;
                code = "ServiceUnavailable";
            }
            case CLIENT_GONE, INTERNAL -> {
                status = 500;
                code = "InternalError";
                message = "We encountered an internal error. Please try again.";
            }
            case REFUSED -> {
                code = switch (code) {
                    case "NotFound" -> "NoSuchResource";
                    case "Unauthorized" -> "AccessDenied";
                    case "InvalidPath" -> "InvalidURI";
                    default -> code;
                };
                if (status == 401) {
                    status = 403;
                }
            }
        }
        String requestId = UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(java.util.Locale.ROOT);
        response.getHeaders().put("x-amz-request-id", requestId);
        if (failure.retryAfter() != null) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, failure.retryAfter());
        }
        if ("HEAD".equals(request.getMethod())) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
            Exchange.write(response, status, null, new byte[0]);
            return;
        }
        if ("InvalidRange".equals(code) && request.getAttribute(S3Api.OBJECT_SIZE) instanceof Long size) {
            response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
        }
        byte[] body = Xml.Writer.plain("Error").element("Code", code).element("Message", message)
                .element("Resource", request.getHttpURI().getPath()).element("RequestId", requestId).bytes();
        Exchange.write(response, status, "application/xml", body);
    }
}
