package dev.cumulus.web;

import dev.cumulus.iam.Crn;
import dev.cumulus.iam.Guard;
import dev.cumulus.iam.Principal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;

/**
 * One request on its way to a route's handler: who makes it (once authenticated), the project it
 * acts in, the path parameters by name, and the request and response.
 */
public final class Call {
    private final Request request;
    private final Response response;
    private final Route route;
    private final Map<String, String> params;
    private final String rawTail;
    /** Names the project a request acts in when its path does not ({@code /v1/projects/{p}/...}). */
    public static final String PROJECT_HEADER = "X-Cumulus-Project";
    private final String requestedProject;
    private final Api api;
    private Principal principal;
    private EndUserTokens.EndUser endUser;
    private String project;
    private byte[] body;
    private Fields query;
    private Later<?> later;

    Call(Request request, Response response, Route route, Router.Match.Found match, Api api) {
        this.request = request;
        this.response = response;
        this.route = route;
        this.params = match.params();
        this.rawTail = match.rawTail();
        // the path's /v1/projects/{p} prefix, else the CLI's current project header
        String header = request.getHeaders().get(PROJECT_HEADER);
        this.requestedProject = match.project() != null ? match.project()
                : header == null || header.isBlank() ? null : header.strip();
        this.api = api;
        // a public route does its own checks (end-user auth): it acts in the project its path
        // names, unchecked here, and never in one a header names
        this.project = route.isPublic() ? match.project() : null;
    }

    public Request request() {
        return request;
    }

    public Response response() {
        return response;
    }

    public Route route() {
        return route;
    }

    public String method() {
        return request.getMethod();
    }

    /**
     * A path parameter, percent-decoded.
     *
     * @throws IllegalArgumentException when the route has no such parameter (a bug in its table)
     */
    public String param(String name) {
        String value = params.get(name);
        if (value == null) {
            throw new IllegalArgumentException(route + " has no parameter " + name);
        }
        return value;
    }

    /** The greedy parameter's part of the path as it came (still encoded), from its {@code /}; null without one. */
    public String rawTail() {
        return rawTail;
    }

    /** The authenticated principal; null on a public route that did not ask for one. */
    public Principal principal() {
        return principal;
    }

    /**
     * The end user when the principal is one ({@link Principal.Kind#END_USER}, on a route that
     * {@linkplain Route#takesEndUsers takes end users}), with the claims the rules see; else null.
     */
    public EndUserTokens.EndUser endUser() {
        return endUser;
    }

    /**
     * The project the call acts in: the principal's (settled by the guard) once authenticated; on
     * a public route that did not authenticate, the project its path names
     * ({@code /v1/projects/P/...}, not checked to exist: the handler does) or null.
     */
    public String project() {
        return project;
    }

    /** The project the path names ({@code /v1/projects/P/...}), or null. */
    public String requestedProject() {
        return requestedProject;
    }

    public String query(String name) {
        return queryFields().getValue(name);
    }

    public List<String> queryValues(String name) {
        List<String> values = queryFields().getValues(name);
        return values == null ? List.of() : values;
    }

    private Fields queryFields() {
        if (query == null) {
            query = Request.extractQueryParameters(request);
        }
        return query;
    }

    public String header(String name) {
        return request.getHeaders().get(name);
    }

    /** The node as the caller reached it, e.g. {@code http://127.0.0.1:8080}. */
    public String baseUrl() {
        var uri = request.getHttpURI();
        return uri.getScheme() + "://" + uri.getAuthority();
    }

    /** The body an authenticator read (and checked) already; see {@link #keepBody}. */
    public byte[] body() {
        if (body == null) {
            throw new IllegalStateException("no body was read before " + route);
        }
        return body;
    }

    /** Keeps a body read while authenticating (a signed body), for the handler. */
    public void keepBody(byte[] bytes) {
        this.body = bytes;
    }

    /** Answers {@code body} as JSON with {@code status}. */
    public void json(int status, Object body) throws java.io.IOException {
        Exchange.write(response, status, "application/json", Json.write(body));
    }

    /** Answers 204 without a body. */
    public void noContent() throws java.io.IOException {
        Exchange.write(response, 204, null, new byte[0]);
    }

    /**
     * Writes an answer once it is known, without blocking ({@link Exchange#write(Response, int,
     * String, byte[], org.eclipse.jetty.util.Callback)}), and completes {@code done} when written
     * or fails it; may throw instead, before anything is written.
     */
    @FunctionalInterface
    public interface Writer<T> {
        void write(T value, Response response, org.eclipse.jetty.util.Callback done) throws Exception;
    }

    /**
     * Answers this call when {@code answer} completes, on the thread that completes it, and lets
     * the handler return at once (its last step). A failed stage, or a writer that throws before
     * it has written, is answered as anything a handler throws is, in the API's error dialect.
     * For the warm invocation path (issue 12): the thread that reads the function's result writes
     * the HTTP answer, instead of waking the request's virtual thread to write it.
     */
    public <T> void answerLater(java.util.concurrent.CompletionStage<T> answer, Writer<T> writer) {
        if (later != null) {
            throw new IllegalStateException(route + " answers later twice");
        }
        later = new Later<>(answer, writer);
    }

    /** The answer a handler left to {@link #answerLater}, or null when it answered itself. */
    Later<?> later() {
        return later;
    }

    record Later<T>(java.util.concurrent.CompletionStage<T> answer, Writer<T> writer) {}

    /** What a policy's conditions see: the client's address and now. */
    public Guard.Facts facts() {
        InetAddress source = request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress remote
                ? remote.getAddress() : InetAddress.getLoopbackAddress();
        return new Guard.Facts(source, Instant.now());
    }

    /** A later question to the guard for a call's principal ({@link #laterChecks}). */
    @FunctionalInterface
    public interface Check {
        /** @throws dev.cumulus.errors.ApiException 403 AccessDenied when the guard denies (audited) */
        void authorize(String action, Crn resource);
    }

    /**
     * Asks the guard, for this call's principal and client address but at the time of asking,
     * about further actions on other resources of the call's project: for a handler that acts on
     * several resources after the call itself (a realtime WebSocket's subscriptions). An end user
     * is no IAM principal (the handler judges them by its rules): nothing to ask for them.
     */
    public Check laterChecks() {
        Principal who = principal;
        if (who == null) {
            throw new IllegalStateException("laterChecks needs an authenticated call");
        }
        InetAddress source = facts().source();
        return (action, resource) -> {
            if (who.kind() != Principal.Kind.END_USER) {
                api.authorize(who, action, resource, new Guard.Facts(source, Instant.now()));
            }
        };
    }

    /** The route's resource for this call. */
    public Crn resource() {
        return Crn.of(route.service, project, route.resourcePath.apply(this));
    }

    /**
     * Authenticates and authorises this call now, as a non-public route is before its handler:
     * for public routes that need a principal for some requests (a function URL that is not
     * public).
     *
     * @throws ApiException 401 without a valid credential, 403 when the guard denies
     */
    public void authorize() throws Exception {
        api.authenticateAndAuthorize(this);
    }

    void authenticated(Principal who, String inProject) {
        this.principal = who;
        this.project = inProject;
    }

    void authenticatedEndUser(EndUserTokens.EndUser user, String inProject) {
        this.principal = new Principal(Principal.Kind.END_USER, user.id(), inProject);
        this.endUser = user;
        this.project = inProject;
    }
}
