package dev.cumulus.topics;

import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Call;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * {@code /v1/topics}: {@code GET} lists; {@code /v1/topics/NAME}: {@code PUT} creates,
 * {@code GET}, {@code DELETE}; {@code POST /v1/topics/NAME/events} publishes;
 * {@code /v1/topics/NAME/subscriptions}: {@code GET}, {@code POST};
 * {@code DELETE /v1/topics/NAME/subscriptions/ID}.
 */
final class TopicsMount {
    private static final long MAX_BODY = 64 * 1024;
    private static final String JSON = "application/json";
    private final Topics topics;

    TopicsMount(Topics topics) {
        this.topics = topics;
    }

    List<Route> routes() {
        return List.of(
                Route.get("/v1/topics").authorize("topics:List", "topics", "*")
                        .handle(call -> call.json(200, Map.of("topics", topics.list(call.project())))),
                Route.put("/v1/topics/{topic}").authorize("topics:Create", "topics", "{topic}").handle(this::create),
                Route.get("/v1/topics/{topic}").authorize("topics:Get", "topics", "{topic}")
                        .handle(call -> call.json(200, topics.get(call.project(), call.param("topic")))),
                Route.delete("/v1/topics/{topic}").authorize("topics:Delete", "topics", "{topic}").handle(call -> {
                    topics.delete(call.project(), call.param("topic"));
                    call.noContent();
                }),
                Route.post("/v1/topics/{topic}/events").authorize("topics:Publish", "topics", "{topic}")
                        .handle(call -> call.json(202, publish(call.project(), call.param("topic"), call.request()))),
                Route.get("/v1/topics/{topic}/subscriptions").authorize("topics:ListSubscriptions", "topics", "{topic}")
                        .handle(call -> call.json(200, Map.of("subscriptions", topics.subscriptions(call.project(), call.param("topic"))))),
                Route.post("/v1/topics/{topic}/subscriptions").authorize("topics:Subscribe", "topics", "{topic}")
                        .handle(call -> call.json(201, topics.subscribe(call.project(), call.param("topic"),
                                Json.parseObject(Exchange.readBody(call.request(), MAX_BODY))))),
                Route.delete("/v1/topics/{topic}/subscriptions/{id}").authorize("topics:Unsubscribe", "topics", "{topic}")
                        .handle(call -> {
                            topics.unsubscribe(call.project(), call.param("topic"), call.param("id"));
                            call.noContent();
                        }));
    }

    private void create(Call call) throws IOException {
        byte[] body = Exchange.readBody(call.request(), MAX_BODY);
        if (body.length > 0 && Json.parseObject(body).size() > 0) {
            throw ApiException.badRequest("InvalidTopic", "a topic has no settings; send no body or {}");
        }
        Map<String, Object> view = topics.create(call.project(), call.param("topic"));
        call.json(Boolean.TRUE.equals(view.get("created")) ? 201 : 200, view);
    }

    /**
     * The body is the event data; the attributes come from CloudEvents binary-mode headers
     * ({@code ce-type}, {@code ce-source}, {@code ce-subject}, {@code ce-id}) or the query
     * parameters of the same names without {@code ce-}.
     */
    private Map<String, Object> publish(String project, String topic, Request request) throws IOException {
        byte[] data;
        try {
            data = Exchange.readBody(request, AsyncInvoker.MAX_EVENT_BYTES);
        } catch (Exchange.BodyTooLargeException e) {
            throw ApiException.tooLarge("an event is limited to " + AsyncInvoker.MAX_EVENT_BYTES + " bytes of data");
        }
        Fields query = Request.extractQueryParameters(request);
        String source = attribute(request, query, "source");
        return topics.publishChecked(project, topic, attribute(request, query, "id"),
                source == null ? "/v1/topics/" + topic : source, attribute(request, query, "type"),
                attribute(request, query, "subject"), data);
    }

    static String attribute(Request request, Fields query, String name) {
        String header = request.getHeaders().get("ce-" + name);
        String param = query.getValue(name);
        if (header != null && param != null && !header.equals(param)) {
            throw ApiException.badRequest("InvalidAttribute", "'" + name + "' is given twice, as the header ce-" + name
                    + " and as a query parameter, with different values");
        }
        return header != null ? header : param;
    }

}
