package dev.cumulus.platform;

import dev.cumulus.documents.Documents;
import dev.cumulus.errors.ApiException;
import dev.cumulus.iam.ExecutionTokens;
import dev.cumulus.iam.Principal;
import dev.cumulus.invoke.InvocationCallers;
import dev.cumulus.runtimeapi.InstanceService;
import dev.cumulus.web.Api;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The node's REST API from inside an instance: {@code /cumulus/v1/api/X} on its Runtime API
 * socket is {@code /v1/X} of the REST API, served by the same router, guard and handlers, as
 * the function's execution role. Instances have no network (unless granted egress), so without
 * this their execution credentials could reach nothing; with it, the socket is the credential
 * (only the instance can reach it) and the role's policy decides, as for any principal. A
 * function without a role is refused before the router: it can call nothing (issue 11).
 */
final class InstanceApiRelay implements InstanceService {
    static final String PREFIX = "/cumulus/v1/api";
    /**
     * Sent with the invocation's execution token: act for the end user the node verified for that
     * invocation (ADR 0035). The relay resolves the user; the function never names one.
     */
    static final String AS_CALLER = "X-Cumulus-As-Caller";
    /**
     * Sent with the invocation's execution token on a function's database calls: its writes
     * continue the change-trigger chain of that invocation ({@link Documents#INVOCATION_HOPS}), so a
     * function writing into the collection that triggers it is stopped (docs/documents.md).
     */
    static final String INVOCATION = "X-Cumulus-Invocation";
    /** The request attribute with the caller's identity document, for the db routes' end-user seam. */
    static final String CALLER_IDENTITY = InstanceApiRelay.class.getName() + ".callerIdentity";

    private final Supplier<Api> rest;
    private final Function<String, Optional<ExecutionTokens.Claims>> tokens;
    private final InvocationCallers callers;
    private final BiFunction<String, String, Integer> invocationHops;

    /**
     * @param rest the node's REST API, once the edge has built it
     * @param tokens verifies an execution token
     * @param callers the end users verified for the running invocations
     * @param invocationHops the change-trigger hop count of invocation (project, request id): 0
     *        unless a change event started it
     */
    InstanceApiRelay(Supplier<Api> rest, Function<String, Optional<ExecutionTokens.Claims>> tokens,
            InvocationCallers callers, BiFunction<String, String, Integer> invocationHops) {
        this.rest = rest;
        this.tokens = tokens;
        this.callers = callers;
        this.invocationHops = invocationHops;
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public Answer handle(String project, String functionName, Request request) {
        throw new IllegalStateException("the relay writes its own responses");
    }

    @Override
    public boolean serve(Caller caller, Request request, Response response) throws Exception {
        if (caller.role() == null) {
            throw new ApiException(403, "NoRole", "function " + caller.functionName() + " has no execution role, and "
                    + "a function without one can call nothing");
        }
        String asCaller = request.getHeaders().get(AS_CALLER);
        if (asCaller != null) {
            request.setAttribute(CALLER_IDENTITY, callerIdentity(caller, asCaller));
        }
        String invocation = request.getHeaders().get(INVOCATION);
        if (invocation != null && !request.getMethod().equals("GET")) {
            ExecutionTokens.Claims claims = claims(caller, invocation, INVOCATION);
            request.setAttribute(Documents.INVOCATION_HOPS, invocationHops.apply(caller.project(), claims.requestId()));
        }
        HttpURI original = request.getHttpURI();
        String path = "/v1" + original.getPath().substring(PREFIX.length());
        HttpURI relayed = HttpURI.build(original).path(path);
        request.setAttribute(Api.RELAYED_PRINCIPAL, new Principal(Principal.Kind.ROLE, caller.role(), caller.project()));
        Request inner = new Request.Wrapper(request) {
            @Override
            public HttpURI getHttpURI() {
                return relayed;
            }
        };
        CompletableFuture<Void> done = new CompletableFuture<>();
        rest.get().serve(inner, response, Callback.from(() -> done.complete(null), done::completeExceptionally));
        try {
            done.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        return true;
    }

    /**
     * The verified end user of the invocation whose execution token this is: the token must be
     * this node's, for this very function, and its invocation must still run with a caller.
     */
    private String callerIdentity(Caller caller, String executionToken) {
        ExecutionTokens.Claims claims = claims(caller, executionToken, AS_CALLER);
        return callers.of(claims.requestId())
                .filter(v -> v.project().equals(caller.project()) && v.functionName().equals(caller.functionName()))
                .map(InvocationCallers.Verified::cognitoIdentity)
                .orElseThrow(() -> new ApiException(403, "NoCaller", "invocation " + claims.requestId()
                        + " has no signed-in caller to act for (only routes and URLs with auth: user have one)"));
    }

    /** The claims of an execution token this node minted for an invocation of this very function. */
    private ExecutionTokens.Claims claims(Caller caller, String executionToken, String header) {
        return tokens.apply(executionToken.strip())
                .filter(c -> c.project().equals(caller.project()) && c.function().equals(caller.functionName()))
                .orElseThrow(() -> new ApiException(403, "AccessDenied", header + " needs this invocation's "
                        + "execution token"));
    }
}
