package dev.cumulus.platform;

import dev.cumulus.errors.ApiException;
import dev.cumulus.iam.Principal;
import dev.cumulus.runtimeapi.InstanceService;
import dev.cumulus.web.Api;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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

    private final Supplier<Api> rest;

    /** @param rest the node's REST API, once the edge has built it */
    InstanceApiRelay(Supplier<Api> rest) {
        this.rest = rest;
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
}
