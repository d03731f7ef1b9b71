package dev.cumulus.invoke;

import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

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
        HttpFields fields = request.getHeaders();
        List<Map.Entry<String, String>> headers = new ArrayList<>(fields.size());
        for (HttpField field : fields) {
            if (passAuthorization || field.getHeader() != HttpHeader.AUTHORIZATION) {
                headers.add(Map.entry(field.getName(), field.getValue()));
            }
        }
        return new FunctionUrlEvents.HttpRequest(request.getMethod(), path, request.getHttpURI().getQuery(), headers,
                body, Request.getRemoteAddr(request), Request.getServerName(request),
                request.getConnectionMetaData().getProtocol());
    }

    /** A failed invocation, answered publicly: the error type and request id, never the stack trace. */
    public static void writeFunctionError(Response response, String requestId, Invocation failed, Callback done) {
        Exchange.write(response, 502, "application/json", Json.write(Map.of(
                "error", "FunctionError", "errorType", failed.failure().errorType(),
                "message", "the function failed; see its logs for request " + requestId)), done);
    }

    /**
     * The answer with every cookie it sets confined to {@code basePath} (e.g. {@code /fn/NAME/}):
     * function URLs share one origin, so a cookie for {@code /} would reach every other
     * function's URL and the node's own API. A {@code Path} inside {@code basePath} is kept,
     * any other is replaced, and {@code Domain} is dropped (it could only widen the cookie to
     * other hosts). A {@code set-cookie} the function put among its plain headers is treated the
     * same way rather than passed through beside the scoped ones.
     */
    public static FunctionUrlEvents.HttpResponse scopeCookies(FunctionUrlEvents.HttpResponse answer, String basePath) {
        if (answer.cookies().isEmpty() && !answer.headers().containsKey("set-cookie")) {
            return answer; // nearly every answer: nothing to scope, nothing copied
        }
        Map<String, String> headers = new LinkedHashMap<>(answer.headers());
        List<String> cookies = new ArrayList<>(answer.cookies());
        String headerCookie = headers.remove("set-cookie");
        if (headerCookie != null) {
            cookies.add(headerCookie);
        }
        return new FunctionUrlEvents.HttpResponse(answer.status(), headers,
                cookies.stream().map(c -> scopeCookie(c, basePath)).toList(), answer.body());
    }

    static String scopeCookie(String setCookie, String basePath) {
        String[] parts = setCookie.split(";");
        String exact = basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
        StringBuilder out = new StringBuilder(parts[0].trim());
        String path = basePath;
        for (int i = 1; i < parts.length; i++) {
            String attribute = parts[i].trim();
            int eq = attribute.indexOf('=');
            String name = (eq < 0 ? attribute : attribute.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : attribute.substring(eq + 1).trim();
            switch (name) {
                case "path" -> {
                    // RFC 6265 path-match: "/fn/a" covers "/fn/a/..." but not "/fn/ab"
                    if (value.equals(exact) || value.startsWith(exact + "/")) {
                        path = value;
                    }
                }
                case "domain", "" -> {
                    // dropped
                }
                default -> out.append("; ").append(attribute);
            }
        }
        return out.append("; Path=").append(path).toString();
    }

    /** The function's answer: status, headers, cookies and body; {@code done} completes when it is written (it never blocks). */
    public static void write(Response response, FunctionUrlEvents.HttpResponse answer, Callback done) {
        answer.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        for (String cookie : answer.cookies()) {
            response.getHeaders().add(HttpHeader.SET_COOKIE, cookie);
        }
        Exchange.write(response, answer.status(), null, answer.body(), done);
    }
}
