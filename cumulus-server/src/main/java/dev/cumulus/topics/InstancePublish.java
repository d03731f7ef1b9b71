package dev.cumulus.topics;

import dev.cumulus.errors.ApiException;
import dev.cumulus.iam.Crn;
import dev.cumulus.iam.Guard;
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
    private final Guard guard;

    InstancePublish(Topics topics, Guard guard) {
        this.topics = topics;
        this.guard = guard;
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public Answer handle(String project, String functionName, Request request) {
        throw new IllegalStateException("publishing needs the caller's role: handle(Caller, Request)");
    }

    /**
     * Publishes as the function, with the rights of its execution role: {@code topics:Publish} on
     * the topic, asked of the guard (a denial is audited); a function without a role can call
     * nothing (issue 11).
     */
    @Override
    public Answer handle(Caller caller, Request request) throws Exception {
        String project = caller.project();
        String functionName = caller.functionName();
        String path = Request.getPathInContext(request);
        String[] parts = path.substring(PREFIX.length()).split("/", -1);
        if (parts.length != 3 || !parts[0].isEmpty() || !parts[2].equals("events")) {
            throw ApiException.notFound("unknown path " + path + "; publish with POST " + PREFIX + "/NAME/events");
        }
        if (!request.getMethod().equals("POST")) {
            throw ApiException.methodNotAllowed("POST");
        }
        guard.authorizeRole(project, functionName, caller.role(), "topics:Publish", Crn.of("topics", project, parts[1]));
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
