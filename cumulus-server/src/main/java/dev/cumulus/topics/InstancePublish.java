package dev.cumulus.topics;

import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.runtimeapi.InstanceService;
import dev.cumulus.web.Exchange;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * {@code POST /cumulus/v1/topics/NAME/events} on an instance's Runtime API socket. The socket is
 * the function's identity (only its instances can reach it), so the event's {@code source} is
 * always {@code /functions/NAME}; the function chooses {@code type}, {@code subject} and
 * {@code id} (query parameters or {@code ce-} headers), as over the REST API.
 */
final class InstancePublish implements InstanceService {
    static final String PREFIX = "/cumulus/v1/topics";
    private final Topics topics;

    InstancePublish(Topics topics) {
        this.topics = topics;
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public Answer handle(String project, String functionName, Request request) throws Exception {
        String path = Request.getPathInContext(request);
        String[] parts = path.substring(PREFIX.length()).split("/", -1);
        if (parts.length != 3 || !parts[0].isEmpty() || !parts[2].equals("events")) {
            throw ApiException.notFound("unknown path " + path + "; publish with POST " + PREFIX + "/NAME/events");
        }
        if (!request.getMethod().equals("POST")) {
            throw ApiException.methodNotAllowed("POST");
        }
        byte[] data;
        try {
            data = Exchange.readBody(request, AsyncInvoker.MAX_EVENT_BYTES);
        } catch (Exchange.BodyTooLargeException e) {
            throw ApiException.tooLarge("an event is limited to " + AsyncInvoker.MAX_EVENT_BYTES + " bytes of data");
        }
        Fields query = Request.extractQueryParameters(request);
        if (request.getHeaders().get("ce-source") != null || query.getValue("source") != null) {
            throw ApiException.badRequest("InvalidAttribute",
                    "a function cannot choose the source of what it publishes: it is /functions/" + functionName);
        }
        Map<String, Object> answer = topics.publishChecked(project, parts[1], TopicsMount.attribute(request, query, "id"),
                "/functions/" + functionName, TopicsMount.attribute(request, query, "type"),
                TopicsMount.attribute(request, query, "subject"), data);
        return new Answer(202, answer);
    }
}
