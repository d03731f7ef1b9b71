package dev.cumulus.web;

import dev.cumulus.errors.ApiException;
import dev.cumulus.iam.Guard;
import dev.cumulus.iam.Principal;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP API of the node: its routes, how its callers prove who they are, and its
 * {@link ErrorDialect}. For every request it finds the route, authenticates the caller
 * (unless the route is public), settles the project, asks the {@link Guard} whether the principal
 * may do the route's action on its resource, and only then runs the handler; whatever the handler
 * throws is answered here, in the dialect, and nowhere else.
 */
public final class Api {
    private static final Logger LOG = LoggerFactory.getLogger(Api.class);

    /** Turns a request into a principal; throws (401, or the API's own refusal) when it cannot. */
    @FunctionalInterface
    public interface Authenticator {
        Principal authenticate(Call call) throws Exception;
    }

    private final String name;
    private final Router router;
    private final ErrorDialect dialect;
    private final Guard guard;
    private final Authenticator authenticator;
    private final Consumer<Response> stamp;
    private final List<String> prefixes;

    private Api(Builder b) {
        this.name = b.name;
        this.router = Objects.requireNonNull(b.router, "router");
        this.dialect = Objects.requireNonNull(b.dialect, "dialect");
        this.guard = Objects.requireNonNull(b.guard, "guard");
        this.authenticator = Objects.requireNonNull(b.authenticator, "authenticator");
        this.stamp = b.stamp;
        this.prefixes = List.copyOf(b.prefixes);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * The request attribute under which an in-process relay hands over a principal it has
     * established itself (an instance's execution role, known from its Runtime API socket).
     * Attributes are set by the node's own code only; nothing on the wire can set one.
     */
    public static final String RELAYED_PRINCIPAL = Api.class.getName() + ".relayedPrincipal";

    /**
     * {@code Authorization: Bearer <credential>} through {@link Guard#bearer}: 401 without a valid
     * one; or the principal a relay handed over ({@link #RELAYED_PRINCIPAL}).
     */
    public static Authenticator bearer(Guard guard) {
        return call -> {
            if (call.request().getAttribute(RELAYED_PRINCIPAL) instanceof Principal relayed) {
                return relayed;
            }
            String authorization = call.header(HttpHeader.AUTHORIZATION.asString());
            return guard.bearer(authorization != null ? authorization : webSocketBearer(call), call.facts())
                    .orElseThrow(() -> new ApiException(401, "Unauthorized",
                            "a valid 'Authorization: Bearer <token>' header is required"));
        };
    }

    /** The subprotocol prefix that carries a credential on a WebSocket upgrade. */
    public static final String WEBSOCKET_BEARER = "cumulus.bearer.";

    /**
     * Browsers cannot set headers on a WebSocket: an upgrade without {@code Authorization} may
     * offer its credential as the subprotocol {@code cumulus.bearer.<token>} (ADR 0033), next to
     * the protocol it speaks, which is the one the node names back.
     */
    static String webSocketBearer(Call call) {
        String upgrade = call.header(HttpHeader.UPGRADE.asString());
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            return null;
        }
        for (String offered : call.request().getHeaders().getValuesList(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL)) {
            for (String protocol : offered.split(",")) {
                String p = protocol.strip();
                if (p.startsWith(WEBSOCKET_BEARER) && p.length() > WEBSOCKET_BEARER.length()) {
                    return "Bearer " + p.substring(WEBSOCKET_BEARER.length());
                }
            }
        }
        return null;
    }

    public String name() {
        return name;
    }

    public Router router() {
        return router;
    }

    public ErrorDialect dialect() {
        return dialect;
    }

    /** Whether {@code path} is under one of the API's {@linkplain Builder#prefixes prefixes}. */
    public boolean owns(String path) {
        for (String prefix : prefixes) {
            if (path.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Serves one request to its end: the callback is completed here, whatever happens. */
    public void serve(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        String path = request.getHttpURI().getPath();
        try {
            Router.Match match = router.match(method, path, request.getHttpURI().getQuery() == null ? q -> false
                    : q -> Request.extractQueryParameters(request).getValue(q) != null);
            if (!(match instanceof Router.Match.Found) && Cors.isPreflight(request)) {
                // a browser's preflight, where no route of the API takes OPTIONS itself (S3's do)
                Cors.preflight(request, response, router.match(request.getHeaders().get(
                        HttpHeader.ACCESS_CONTROL_REQUEST_METHOD), path, q -> false));
                callback.succeeded();
                return;
            }
            switch (match) {
                case Router.Match.NotFound n -> fail(request, response, callback, Failure.noRoute(method, path));
                case Router.Match.WrongMethod w -> fail(request, response, callback, Failure.wrongMethod(method, path, w.allowed()));
                case Router.Match.Found found -> {
                    Cors.allow(request, response, found);
                    Call call = new Call(request, response, found.route(), found, this);
                    if (!found.route().isPublic()) {
                        authenticateAndAuthorize(call);
                    }
                    found.route().handler.handle(call);
                    if (call.later() != null) {
                        answerLater(call.later(), request, response, callback);
                    } else {
                        callback.succeeded();
                    }
                }
            }
        } catch (Throwable e) {
            failUnexpected(request, response, callback, e);
        }
    }

    private <T> void answerLater(Call.Later<T> later, Request request, Response response, Callback callback) {
        later.answer().whenComplete((value, error) -> {
            if (error != null) {
                failUnexpected(request, response, callback,
                        error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                                ? error.getCause() : error);
                return;
            }
            try {
                later.writer().write(value, response, Callback.from(callback::succeeded,
                        written -> failUnexpected(request, response, callback, written)));
            } catch (Throwable e) {
                failUnexpected(request, response, callback, e);
            }
        });
    }

    private void failUnexpected(Request request, Response response, Callback callback, Throwable e) {
        Failure failure = Failure.of(e);
        if (failure.kind() == Failure.Kind.INTERNAL) {
            LOG.error("unexpected failure on {} {}", request.getMethod(), request.getHttpURI().getPath(), e);
        }
        fail(request, response, callback, failure);
    }

    /** The guard's decision on one more action of an authenticated principal ({@link Call#laterChecks}). */
    void authorize(Principal who, String action, dev.cumulus.iam.Crn resource, dev.cumulus.iam.Guard.Facts facts) {
        guard.authorize(who, action, resource, facts);
    }

    void authenticateAndAuthorize(Call call) throws Exception {
        Principal who;
        try {
            who = authenticator.authenticate(call);
        } catch (ApiException refused) {
            EndUserTokens.EndUser user = refused.status() == 401 ? endUser(call) : null;
            if (user == null) {
                throw refused;
            }
            // settled as any project-bound principal's (the project must exist); then no IAM
            // question: IAM grants end users nothing, the route's handler judges them by its rules
            call.authenticatedEndUser(user, guard.project(
                    new Principal(Principal.Kind.END_USER, user.id(), call.requestedProject()), call.requestedProject()));
            return;
        }
        String project = guard.project(who, call.requestedProject());
        call.authenticated(who, project);
        guard.authorize(who, call.route().action, call.resource(), call.facts());
    }

    /**
     * The end user whose access token the request carries, on a route that takes end users and
     * for the project the request names (a path or header, never the token's say); else null.
     */
    private static EndUserTokens.EndUser endUser(Call call) {
        EndUserTokens tokens = call.route().endUsers;
        String project = call.requestedProject();
        if (tokens == null || project == null) {
            return null;
        }
        return tokens.verify(project, call.header(HttpHeader.AUTHORIZATION.asString())).orElse(null);
    }

    /**
     * Answers {@code failure} in this API's dialect, or fails the callback when the response has
     * started (nothing can be said then) or the client left.
     */
    public void fail(Request request, Response response, Callback callback, Failure failure) {
        if (failure.kind() == Failure.Kind.CLIENT_GONE) {
            callback.failed(failure.cause()); // nobody to answer, nothing to report
            return;
        }
        if (response.isCommitted()) {
            callback.failed(new IOException(failure.code() + ": " + failure.message()));
            return;
        }
        try {
            response.reset();
            if (stamp != null) {
                stamp.accept(response);
            }
            Cors.again(request, response); // a page on an allowed origin reads the error too
            if (!request.consumeAvailable()) {
                // a refused request's unread body would be taken for the next request: say the
                // connection ends here, so clients do not reuse it and fail on the next call
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            dialect.write(failure, request, response);
            callback.succeeded();
        } catch (Throwable e) {
            callback.failed(e);
        }
    }

    public static final class Builder {
        private final String name;
        private Router router;
        private ErrorDialect dialect = CumulusErrors.INSTANCE;
        private Guard guard;
        private Authenticator authenticator;
        private Consumer<Response> stamp;
        private List<String> prefixes = List.of();

        private Builder(String name) {
            this.name = name;
        }

        public Builder router(Router router) {
            this.router = router;
            return this;
        }

        public Builder dialect(ErrorDialect dialect) {
            this.dialect = dialect;
            return this;
        }

        /** Who answers "may this principal...": asked for every non-public route. */
        public Builder guard(Guard guard) {
            this.guard = guard;
            return this;
        }

        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        /** Headers every response carries, errors included (the edge's sandbox warning). */
        public Builder stamp(Consumer<Response> stamp) {
            this.stamp = stamp;
            return this;
        }

        /**
         * The path prefixes (such as {@code /2015-03-31/}) whose every request this API answers,
         * unknown paths included, so that they get its error dialect.
         */
        public Builder prefixes(List<String> prefixes) {
            this.prefixes = prefixes;
            return this;
        }

        public Api build() {
            return new Api(this);
        }
    }
}
