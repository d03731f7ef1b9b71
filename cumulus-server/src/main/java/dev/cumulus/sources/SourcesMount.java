package dev.cumulus.sources;

import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Call;
import dev.cumulus.web.Route;
import java.util.List;
import java.util.Map;

/**
 * The request's project's mappings. {@code /v1/sources}: {@code GET} lists with status, {@code POST} creates; {@code /v1/sources/NAME}:
 * {@code GET}, {@code DELETE}; {@code POST /v1/sources/NAME/enable|disable}.
 */
final class SourcesMount {
    private static final long MAX_BODY = 64 * 1024;
    private static final String JSON = "application/json";
    private final SourceMappings sources;

    SourcesMount(SourceMappings sources) {
        this.sources = sources;
    }

    List<Route> routes() {
        return List.of(
                Route.get("/v1/sources").authorize("sources:List", "sources", "*")
                        .handle(call -> call.json(200, Map.of("sources", sources.list(call.project())))),
                Route.post("/v1/sources").authorize("sources:Create", "sources", "*")
                        .handle(call -> call.json(201,
                                sources.create(call, Json.parseObject(Exchange.readBody(call.request(), MAX_BODY))))),
                Route.get("/v1/sources/{name}").authorize("sources:Get", "sources", "{name}")
                        .handle(call -> call.json(200, sources.get(call.project(), call.param("name")))),
                Route.delete("/v1/sources/{name}").authorize("sources:Delete", "sources", "{name}").handle(call -> {
                    sources.delete(call.project(), call.param("name"));
                    call.noContent();
                }),
                Route.post("/v1/sources/{name}/enable").authorize("sources:Enable", "sources", "{name}")
                        .handle(call -> call.json(200, sources.setEnabled(call.project(), call.param("name"), true))),
                Route.post("/v1/sources/{name}/disable").authorize("sources:Disable", "sources", "{name}")
                        .handle(call -> call.json(200, sources.setEnabled(call.project(), call.param("name"), false))));
    }

}
