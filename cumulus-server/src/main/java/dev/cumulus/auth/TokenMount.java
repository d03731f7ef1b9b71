package dev.cumulus.auth;

import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Mount;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * {@code POST /v1/token/rotate}, with the root token: a new root token, returned once, and the
 * old one refused from this response on.
 */
public final class TokenMount implements Mount {
    private final RootToken token;

    public TokenMount(RootToken token) {
        this.token = token;
    }

    @Override
    public String prefix() {
        return "/v1/token";
    }

    @Override
    public Access access() {
        return Access.ADMIN;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        String path = request.getHttpURI().getPath();
        if (!path.equals(prefix() + "/rotate")) {
            throw ApiException.notFound("no such endpoint: " + request.getMethod() + " " + path);
        }
        if (!request.getMethod().equals("POST")) {
            throw ApiException.methodNotAllowed("POST");
        }
        String rotated = token.rotate();
        response.getHeaders().put("Cache-Control", "no-store");
        Exchange.write(response, 200, "application/json", Json.write(Map.of(
                "token", rotated, "file", token.clientFile().toString())));
    }
}
