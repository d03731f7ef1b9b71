package dev.cumulus.invoke;

import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * Between an HTTP exchange and a function that serves HTTP: the same for function URLs and
 * routes, whichever event shape ({@link FunctionUrlEvents}, {@link RestApiEvents}) they use.
 */
public final class HttpExchanges {
    private HttpExchanges() {}

    /**
     * The request as the function sees it.
     *
     * @param passAuthorization false where the caller authenticated to the node: its token never
     *     reaches the function
     */
    public static FunctionUrlEvents.HttpRequest request(Request request, String path, byte[] body,
            boolean passAuthorization) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (HttpField field : request.getHeaders()) {
            if (passAuthorization || field.getHeader() != HttpHeader.AUTHORIZATION) {
                headers.add(Map.entry(field.getName(), field.getValue()));
            }
        }
        return new FunctionUrlEvents.HttpRequest(request.getMethod(), path, request.getHttpURI().getQuery(), headers,
                body, Request.getRemoteAddr(request), Request.getServerName(request),
                request.getConnectionMetaData().getProtocol());
    }

    /** A failed invocation, answered publicly: the error type and request id, never the stack trace. */
    public static void writeFunctionError(Response response, String requestId, Invocation failed) throws IOException {
        Exchange.write(response, 502, "application/json", Json.write(Map.of(
                "error", "FunctionError", "errorType", failed.failure().errorType(),
                "message", "the function failed; see its logs for request " + requestId)));
    }

    /** The function's answer: status, headers, cookies and body. */
    public static void write(Response response, FunctionUrlEvents.HttpResponse answer) throws IOException {
        answer.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        for (String cookie : answer.cookies()) {
            response.getHeaders().add(HttpHeader.SET_COOKIE, cookie);
        }
        Exchange.write(response, answer.status(), null, answer.body());
    }
}
