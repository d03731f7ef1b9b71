package dev.cumulus.web;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** The node's own error shape: {@code {"error": code, "message": ..., ...details}}, with {@code Retry-After} and {@code Allow}. */
public final class CumulusErrors implements ErrorDialect {
    public static final CumulusErrors INSTANCE = new CumulusErrors();

    private CumulusErrors() {}

    @Override
    public void write(Failure failure, Request request, Response response) throws IOException {
        if (failure.retryAfter() != null) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, failure.retryAfter());
        }
        if (!failure.allow().isEmpty()) {
            response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", failure.allow()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", failure.code());
        body.put("message", failure.message());
        body.putAll(failure.details());
        Exchange.write(response, failure.status(), "application/json", Json.write(body));
    }
}
