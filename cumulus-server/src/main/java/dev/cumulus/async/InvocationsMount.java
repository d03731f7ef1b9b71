package dev.cumulus.async;

import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.util.List;

/** {@code GET /v1/invocations/{requestId}}: one asynchronous event with its attempts. */
final class InvocationsMount {
    private final AsyncDelivery delivery;

    InvocationsMount(AsyncDelivery delivery) {
        this.delivery = delivery;
    }

    List<Route> routes() {
        // the event's function is known only once it is read: the resource is every function
        return List.of(Route.get("/v1/invocations/{requestId}").authorize("functions:GetInvocation", "functions", "*")
                .handle(this::describe));
    }

    private void describe(Call call) throws IOException {
        call.json(200, delivery.describe(call.project(), call.param("requestId")));
    }
}
