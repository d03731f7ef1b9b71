package dev.cumulus.web;

import dev.cumulus.errors.ApiException;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * Cross-origin calls from browsers (CORS) to the routes that {@linkplain Route.Builder#cors serve
 * browsers}: only in the project the path names ({@code /v1/projects/P/...}) and only for an
 * origin that project allows; every other origin, route or path gets no CORS header at all, so
 * the browser keeps the answer from the page. Credentials are bearer tokens in a header, never
 * cookies: no {@code Access-Control-Allow-Credentials}.
 */
final class Cors {
    /** The request headers a browser page may send: the token, JSON, preconditions, an SSE resume. */
    static final String ALLOWED_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match, Last-Event-ID";
    /** What a page may read of an answer besides the simple headers. */
    static final String EXPOSED_HEADERS = "ETag, Location";
    static final String MAX_AGE_SECONDS = "600";
    /** The request attribute holding the origin allowed, so that an error answer allows it too. */
    private static final String ALLOWED = Cors.class.getName() + ".allowedOrigin";

    private Cors() {}

    static boolean isPreflight(Request request) {
        return "OPTIONS".equals(request.getMethod()) && request.getHeaders().get(HttpHeader.ORIGIN) != null
                && request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD) != null;
    }

    /**
     * Answers a preflight for the route the requested method would reach: 204 with the CORS
     * headers when its project allows the origin.
     *
     * @throws ApiException 403 {@code CorsNotAllowed} otherwise
     */
    static void preflight(Request request, Response response, Router.Match match) throws java.io.IOException {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (!(match instanceof Router.Match.Found found) || !allows(found, origin)) {
            throw new ApiException(403, "CorsNotAllowed", "origin " + origin + " may not call "
                    + request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD) + " " + request.getHttpURI().getPath()
                    + " from a browser: only the auth and db routes of /v1/projects/{project}/ take cross-origin calls,"
                    + " from the origins the project lists in its user-settings' allowedOrigins");
        }
        headers(request, response, origin);
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS,
                request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD));
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS);
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS);
        Exchange.write(response, 204, null, new byte[0]);
    }

    /** Adds the CORS headers to the answer of an actual request from an allowed origin. */
    static void allow(Request request, Response response, Router.Match.Found found) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null && allows(found, origin)) {
            headers(request, response, origin);
        }
    }

    /** After a reset (an error answer): the headers {@link #allow} had added. */
    static void again(Request request, Response response) {
        if (request.getAttribute(ALLOWED) instanceof String origin) {
            headers(request, response, origin);
        }
    }

    private static boolean allows(Router.Match.Found found, String origin) {
        AllowedOrigins cors = found.route().cors;
        if (cors == null || found.project() == null || origin == null) {
            return false;
        }
        Set<String> allowed = cors.of(found.project());
        return allowed.contains(origin) || allowed.contains("*");
    }

    private static void headers(Request request, Response response, String origin) {
        request.setAttribute(ALLOWED, origin);
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        response.getHeaders().add(HttpHeader.VARY, "Origin");
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_HEADERS);
    }
}
