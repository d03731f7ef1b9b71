package dev.cumulus.runtimeapi;

import dev.cumulus.web.Exchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * The Runtime API endpoints. Answers follow Lambda's: 202 for accepted results and errors (the
 * official clients exit on anything else), 400 for an unknown request id or a malformed call,
 * 413 for an oversized payload, and JSON error bodies with {@code errorType}/{@code errorMessage}.
 */
final class RuntimeApiHandler extends Handler.Abstract {
    private static final String PREFIX = "/2018-06-01/runtime/";
    private static final String SPECIALISE = "/cumulus/v1/specialise";
    private static final String ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type";

    private final Function<Connector, RuntimeChannel> channels;

    RuntimeApiHandler(Function<Connector, RuntimeChannel> channels) {
        super(Invocable.InvocationType.BLOCKING);
        this.channels = channels;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        try {
            RuntimeChannel channel = channels.apply(request.getConnectionMetaData().getConnector());
            if (channel == null) {
                answer(response, 410, "InstanceGone", "this instance has been stopped");
            } else {
                route(channel, request, response);
            }
            callback.succeeded();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
        } catch (Throwable e) {
            callback.failed(e);
        }
        return true;
    }

    private void route(RuntimeChannel channel, Request request, Response response)
            throws IOException, InterruptedException {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        if (path.equals(SPECIALISE) && method.equals("GET")) {
            byte[] specialisation = channel.awaitSpecialisation();
            if (specialisation == null) {
                answer(response, 410, "NotAStemCell", "this instance is not a waiting stem cell");
            } else {
                Exchange.write(response, 200, "application/json", specialisation);
            }
            return;
        }
        if (!path.startsWith(PREFIX)) {
            answer(response, 404, "NotFound", "unknown path " + path);
            return;
        }
        String rest = path.substring(PREFIX.length());
        if (rest.equals("invocation/next") && method.equals("GET")) {
            next(channel, response);
        } else if (rest.equals("init/error") && method.equals("POST")) {
            byte[] body = readPayload(request, response);
            if (body != null) {
                channel.initError(errorType(request), body);
                answer(response, 202, null, null);
            }
        } else if (rest.startsWith("invocation/") && method.equals("POST")) {
            int slash = rest.indexOf('/', "invocation/".length());
            String id = slash < 0 ? "" : rest.substring("invocation/".length(), slash);
            String action = slash < 0 ? "" : rest.substring(slash + 1);
            byte[] body;
            switch (action) {
                case "response" -> {
                    if ((body = readPayload(request, response)) == null) return;
                    acknowledge(response, id, channel.respond(id, body));
                }
                case "error" -> {
                    if ((body = readPayload(request, response)) == null) return;
                    acknowledge(response, id, channel.error(id, errorType(request), body));
                }
                default -> answer(response, 404, "NotFound", "unknown path " + path);
            }
        } else {
            answer(response, 404, "NotFound", "unknown path " + method + " " + path);
        }
    }

    private static void next(RuntimeChannel channel, Response response) throws IOException, InterruptedException {
        PendingInvocation invocation = channel.next();
        if (invocation == null) {
            answer(response, 410, "InstanceGone", "this instance is being stopped");
            return;
        }
        HttpFields.Mutable headers = response.getHeaders();
        headers.put("Lambda-Runtime-Aws-Request-Id", invocation.requestId());
        headers.put("Lambda-Runtime-Deadline-Ms", Long.toString(invocation.deadlineEpochMs()));
        headers.put("Lambda-Runtime-Invoked-Function-Arn", invocation.functionArn());
        headers.put("Lambda-Runtime-Trace-Id", invocation.traceId());
        if (invocation.clientContext() != null) {
            headers.put("Lambda-Runtime-Client-Context", invocation.clientContext());
        }
        if (invocation.cognitoIdentity() != null) {
            headers.put("Lambda-Runtime-Cognito-Identity", invocation.cognitoIdentity());
        }
        if (invocation.cloudEvent() != null) {
            headers.put("Cumulus-Cloud-Event", invocation.cloudEvent());
        }
        Exchange.write(response, 200, "application/json", invocation.payload());
    }

    private static byte[] readPayload(Request request, Response response) throws IOException {
        try {
            return Exchange.readBody(request, RuntimeApiServer.MAX_PAYLOAD_BYTES);
        } catch (Exchange.BodyTooLargeException e) {
            answer(response, 413, "RequestEntityTooLarge",
                    "payload larger than " + RuntimeApiServer.MAX_PAYLOAD_BYTES + " bytes");
            return null;
        }
    }

    private static void acknowledge(Response response, String id, boolean known) throws IOException {
        if (known) {
            answer(response, 202, null, null);
        } else {
            answer(response, 400, "InvalidRequestID", "no invocation " + id + " in flight on this instance");
        }
    }

    private static String errorType(Request request) {
        String type = request.getHeaders().get(ERROR_TYPE_HEADER);
        return type == null || type.isBlank() ? "Unhandled" : type;
    }

    private static void answer(Response response, int status, String errorType, String message) throws IOException {
        String body = errorType == null
                ? "{\"status\":\"OK\"}"
                : "{\"errorType\":\"" + errorType + "\",\"errorMessage\":\"" + message.replace("\"", "'") + "\"}";
        Exchange.write(response, status, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }
}
