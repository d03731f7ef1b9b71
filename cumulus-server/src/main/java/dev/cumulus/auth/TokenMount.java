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

    public TokenMount(RootToken token) {
        this.token = token;
    }

    public List<Route> routes() {
        return List.of(Route.post("/v1/token/rotate").authorize("iam:RotateRootToken", "iam", "root-token")
                .handle(this::rotate));
    }

    private void rotate(Call call) throws IOException {
        String rotated = token.rotate();
        call.response().getHeaders().put("Cache-Control", "no-store");
        Exchange.write(call.response(), 200, "application/json", Json.write(Map.of(
                "token", rotated, "file", token.clientFile().toString())));
    }
}
