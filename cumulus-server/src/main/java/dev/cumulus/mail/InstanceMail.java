package dev.cumulus.mail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.runtimeapi.InstanceService;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.Request;

/**
 * {@code POST /cumulus/v1/mail/messages} on an instance's Runtime API socket
 * ({@code Context.mail()}): {@code {"to", "template", "values"?}} queues one of the project's
 * templates in the outbox, if the function's execution role may {@code mail:SendMail}. The socket
 * is the function's identity, and its instance's role the one asked, never one the request claims.
 */
final class InstanceMail implements InstanceService {
    static final String PATH = "/cumulus/v1/mail/messages";
    private static final Set<String> FIELDS = Set.of("to", "template", "values");

    private final Mail mail;
    private final Mail.SenderCheck check;

    InstanceMail(Mail mail, Mail.SenderCheck check) {
        this.mail = mail;
        this.check = check;
    }

    @Override
    public String prefix() {
        return "/cumulus/v1/mail";
    }

    @Override
    public Answer handle(String project, String functionName, Request request) {
        throw new IllegalStateException("sending needs the caller's role: handle(Caller, Request)");
    }

    @Override
    public Answer handle(Caller caller, Request request) throws Exception {
        String project = caller.project();
        if (!Request.getPathInContext(request).equals(PATH)) {
            throw ApiException.notFound("unknown path; send with POST " + PATH);
        }
        if (!request.getMethod().equals("POST")) {
            throw ApiException.methodNotAllowed("POST");
        }
        check.mayMail(caller);
        byte[] bytes = Exchange.readBody(request, 64 * 1024);
        JsonNode body = Json.parseObject(bytes);
        for (var field : body.properties()) {
            if (!FIELDS.contains(field.getKey())) {
                throw ApiException.badRequest("InvalidParameter", "unknown field '" + field.getKey() + "' (known: template, to, values)");
            }
        }
        String to = body.path("to").asText("");
        if (!Mail.EMAIL.matcher(to).matches()) {
            throw ApiException.badRequest("InvalidParameter", "to is one address like name@example.com");
        }
        String template = body.path("template").asText("");
        if (!MailTemplates.NAMES.contains(template)) {
            throw ApiException.badRequest("InvalidParameter", "template is one of "
                    + String.join(", ", MailTemplates.NAMES.stream().sorted().toList()));
        }
        Map<String, String> values = new LinkedHashMap<>();
        JsonNode given = body.get("values");
        if (given != null && !given.isNull()) {
            if (!given.isObject()) {
                throw ApiException.badRequest("InvalidParameter", "values is an object of strings");
            }
            for (var v : given.properties()) {
                if (!v.getValue().isTextual() || v.getValue().asText().length() > 2000) {
                    throw ApiException.badRequest("InvalidParameter", "values are strings of at most 2000 characters");
                }
                values.put(v.getKey(), v.getValue().asText());
            }
        }
        String id = mail.send(project, template, to, values);
        return new Answer(202, Map.of("id", id, "state", MailStateMachine.State.QUEUED.wire()));
    }
}
