package dev.cumulus.async;

import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Mount;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** {@code GET /v1/invocations/{requestId}}: one asynchronous event with its attempts. */
final class InvocationsMount implements Mount {
    private final AsyncDelivery delivery;

    InvocationsMount(AsyncDelivery delivery) {
        this.delivery = delivery;
    }

    @Override
    public String prefix() {
        return "/v1/invocations";
    }

    @Override
    public Access access() {
        return Access.ADMIN;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        String rest = request.getHttpURI().getPath().substring(prefix().length());
        if (rest.length() <= 1 || rest.indexOf('/', 1) >= 0) {
            throw ApiException.notFound("no such endpoint: " + request.getMethod() + " " + request.getHttpURI().getPath()
                    + " (use GET /v1/invocations/{requestId} or GET /v1/functions/{name}/invocations)");
        }
        if (!request.getMethod().equals("GET")) {
            throw ApiException.methodNotAllowed("GET");
        }
        Exchange.write(response, 200, "application/json", Json.write(delivery.describe(rest.substring(1))));
    }
}
