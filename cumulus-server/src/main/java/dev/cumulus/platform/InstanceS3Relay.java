package dev.cumulus.platform;

import dev.cumulus.errors.ApiException;
import dev.cumulus.iam.Principal;
import dev.cumulus.runtimeapi.InstanceService;
import dev.cumulus.storage.S3Api;
import dev.cumulus.web.Api;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The node's S3 API on an instance's Runtime API socket, at the same {@code /s3} path as on the
 * edge, so a relay in the sandbox pumps bytes without rewriting what the AWS SDK signed (ADR
 * 0039). Requests are SigV4-signed as on the edge; here, and only here, the instance's own
 * session credentials are accepted too, as its function's execution role. Node access keys work
 * as they do on the edge.
 */
final class InstanceS3Relay implements InstanceService {
    private final Supplier<Api> s3;

    /** @param s3 the node's S3 API, once the edge has built it */
    InstanceS3Relay(Supplier<Api> s3) {
        this.s3 = s3;
    }

    @Override
    public String prefix() {
        return S3Api.PREFIX;
    }

    @Override
    public Answer handle(String project, String functionName, Request request) {
        throw new IllegalStateException("the relay writes its own responses");
    }

    @Override
    public boolean serve(Caller caller, Request request, Response response) throws Exception {
        if (caller.role() != null && caller.session() != null) {
            request.setAttribute(S3Api.INSTANCE_SESSION, new S3Api.InstanceSession(caller.session(),
                    new Principal(Principal.Kind.ROLE, caller.role(), caller.project()), caller.running()));
        } else if (caller.role() == null) {
            throw new ApiException(403, "NoRole", "function " + caller.functionName() + " has no execution role, and "
                    + "a function without one can call nothing");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        s3.get().serve(request, response, Callback.from(() -> done.complete(null), done::completeExceptionally));
        try {
            done.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        return true;
    }
}
