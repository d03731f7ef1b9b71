package dev.cumulus.auth;

import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/token/rotate}: a new root token, returned once, and the old one refused from
 * this response on.
 */
public final class TokenMount {
    private final RootToken token;
    private final RootOnly rootOnly;

    /** Refuses (403, audited) any principal but the root one, whatever its policies allow. */
    @FunctionalInterface
    public interface RootOnly {
        void require(Call call, String action);
    }

    public TokenMount(RootToken token, RootOnly rootOnly) {
        this.token = token;
        this.rootOnly = rootOnly;
    }

    public List<Route> routes() {
        return List.of(Route.post("/v1/token/rotate").authorize("iam:RotateRootToken", "iam", "root-token")
                .handle(this::rotate));
    }

    private void rotate(Call call) throws IOException {
        // a project's admins hold iam:* in their project: the node's own token is the operator's
        rootOnly.require(call, "iam:RotateRootToken");
        String rotated = token.rotate();
        call.response().getHeaders().put("Cache-Control", "no-store");
        Exchange.write(call.response(), 200, "application/json", Json.write(Map.of(
                "token", rotated, "file", token.clientFile().toString())));
    }
}
