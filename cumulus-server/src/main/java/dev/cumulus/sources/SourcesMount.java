package dev.cumulus.sources;

import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Mount;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * {@code /v1/sources}: {@code GET} lists with status, {@code POST} creates; {@code /v1/sources/NAME}:
 * {@code GET}, {@code DELETE}; {@code POST /v1/sources/NAME/enable|disable}. Root token only.
 */
final class SourcesMount implements Mount {
    private static final long MAX_BODY = 64 * 1024;
    private static final String JSON = "application/json";
    private final SourceMappings sources;

    SourcesMount(SourceMappings sources) {
        this.sources = sources;
    }

    @Override
    public String prefix() {
        return "/v1/sources";
    }

    @Override
    public Access access() {
        return Access.ADMIN;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        String rest = Request.getPathInContext(request).substring(prefix().length());
        String[] parts = rest.isEmpty() || rest.equals("/") ? new String[0] : rest.substring(1).split("/", -1);
        String method = request.getMethod();
        switch (parts.length) {
            case 0 -> {
                switch (method) {
                    case "GET" -> write(response, 200, Map.of("sources", sources.list()));
                    case "POST" -> write(response, 201,
                            sources.create(Json.parseObject(Exchange.readBody(request, MAX_BODY))));
                    default -> throw ApiException.methodNotAllowed("GET or POST");
                }
            }
            case 1 -> {
                switch (method) {
                    case "GET" -> write(response, 200, sources.get(parts[0]));
                    case "DELETE" -> {
                        sources.delete(parts[0]);
                        response.setStatus(204);
                        Exchange.write(response, 204, null, new byte[0]);
                    }
                    default -> throw ApiException.methodNotAllowed("GET or DELETE");
                }
            }
            case 2 -> {
                boolean enable = switch (parts[1]) {
                    case "enable" -> true;
                    case "disable" -> false;
                    default -> throw ApiException.notFound("no such path: " + Request.getPathInContext(request));
                };
                if (!method.equals("POST")) {
                    throw ApiException.methodNotAllowed("POST");
                }
                write(response, 200, sources.setEnabled(parts[0], enable));
            }
            default -> throw ApiException.notFound("no such path: " + Request.getPathInContext(request));
        }
    }

    private static void write(Response response, int status, Object body) throws java.io.IOException {
        Exchange.write(response, status, JSON, Json.write(body));
    }
}
