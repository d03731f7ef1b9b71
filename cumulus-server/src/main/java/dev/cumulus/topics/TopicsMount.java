package dev.cumulus.topics;

import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Mount;
import java.io.IOException;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;

/**
 * {@code /v1/topics} (root token): {@code GET} lists; {@code /v1/topics/NAME}: {@code PUT}
 * creates, {@code GET}, {@code DELETE}; {@code POST /v1/topics/NAME/events} publishes;
 * {@code /v1/topics/NAME/subscriptions}: {@code GET}, {@code POST};
 * {@code DELETE /v1/topics/NAME/subscriptions/ID}.
 */
final class TopicsMount implements Mount {
    private static final long MAX_BODY = 64 * 1024;
    private static final String JSON = "application/json";
    private final Topics topics;

    TopicsMount(Topics topics) {
        this.topics = topics;
    }

    @Override
    public String prefix() {
        return "/v1/topics";
    }

    @Override
    public Access access() {
        return Access.ADMIN;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        String path = Request.getPathInContext(request);
        String rest = path.substring(prefix().length());
        String[] parts = rest.isEmpty() || rest.equals("/") ? new String[0] : rest.substring(1).split("/", -1);
        String method = request.getMethod();
        switch (parts.length) {
            case 0 -> {
                requireMethod(method, "GET");
                write(response, 200, Map.of("topics", topics.list()));
            }
            case 1 -> {
                switch (method) {
                    case "PUT" -> {
                        byte[] body = Exchange.readBody(request, MAX_BODY);
                        if (body.length > 0 && Json.parseObject(body).size() > 0) {
                            throw ApiException.badRequest("InvalidTopic", "a topic has no settings; send no body or {}");
                        }
                        Map<String, Object> view = topics.create(parts[0]);
                        write(response, Boolean.TRUE.equals(view.get("created")) ? 201 : 200, view);
                    }
                    case "GET" -> write(response, 200, topics.get(parts[0]));
                    case "DELETE" -> {
                        topics.delete(parts[0]);
                        Exchange.write(response, 204, null, new byte[0]);
                    }
                    default -> throw ApiException.methodNotAllowed("PUT, GET or DELETE");
                }
            }
            case 2 -> {
                switch (parts[1]) {
                    case "events" -> {
                        requireMethod(method, "POST");
                        write(response, 202, publish(parts[0], request));
                    }
                    case "subscriptions" -> {
                        switch (method) {
                            case "GET" -> write(response, 200, Map.of("subscriptions", topics.subscriptions(parts[0])));
                            case "POST" -> write(response, 201,
                                    topics.subscribe(parts[0], Json.parseObject(Exchange.readBody(request, MAX_BODY))));
                            default -> throw ApiException.methodNotAllowed("GET or POST");
                        }
                    }
                    default -> throw ApiException.notFound("no such path: " + path);
                }
            }
            case 3 -> {
                if (!parts[1].equals("subscriptions")) {
                    throw ApiException.notFound("no such path: " + path);
                }
                requireMethod(method, "DELETE");
                topics.unsubscribe(parts[0], parts[2]);
                Exchange.write(response, 204, null, new byte[0]);
            }
            default -> throw ApiException.notFound("no such path: " + path);
        }
    }

    /**
     * The body is the event data; the attributes come from CloudEvents binary-mode headers
     * ({@code ce-type}, {@code ce-source}, {@code ce-subject}, {@code ce-id}) or the query
     * parameters of the same names without {@code ce-}.
     */
    private Map<String, Object> publish(String topic, Request request) throws IOException {
        byte[] data;
        try {
            data = Exchange.readBody(request, AsyncInvoker.MAX_EVENT_BYTES);
        } catch (Exchange.BodyTooLargeException e) {
            throw ApiException.tooLarge("an event is limited to " + AsyncInvoker.MAX_EVENT_BYTES + " bytes of data");
        }
        Fields query = Request.extractQueryParameters(request);
        String source = attribute(request, query, "source");
        return topics.publishChecked(Topics.PROJECT, topic, attribute(request, query, "id"),
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

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw ApiException.methodNotAllowed(allowed);
        }
    }

    private static void write(Response response, int status, Object body) throws IOException {
        Exchange.write(response, status, JSON, Json.write(body));
    }
}
