package dev.cumulus.runtimeapi;

import dev.cumulus.web.Exchange;
import dev.cumulus.web.Failure;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * The Runtime API endpoints. Answers follow Lambda's: 202 for accepted results and errors (the
 * official clients exit on anything else), 400 InvalidRequestID for an unknown request id, 403
 * InvalidStateTransition for a second answer to one invocation, 413 RequestEntityTooLarge for an
 * oversized payload, and JSON error bodies with {@code errorType}/{@code errorMessage}. Cumulus's
 * own: 429 TooManyLongPolls past an instance's share of waiting polls, and 403 InvocationsOverFrames
 * (connection closed) for any {@code invocation/next} on the socket of a runtime that speaks frames.
 */
final class RuntimeApiHandler extends Handler.Abstract {
    private static final String PREFIX = "/2018-06-01/runtime/";
    private static final String SPECIALISE = "/cumulus/v1/specialise";
    /** The invocation's execution token (docs/adr/0024-execution-tokens.md); only for functions with a role. */
    public static final String TOKEN_HEADER = "Lambda-Runtime-Cumulus-Token";
    private static final String ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type";
    private static final String ERROR_BODY_HEADER = "Lambda-Runtime-Function-Error-Body";
    private static final String RESPONSE_MODE_HEADER = "Lambda-Runtime-Function-Response-Mode";
    private static final int MAX_PAYLOAD_BYTES = RuntimeApiServer.MAX_PAYLOAD_BYTES;
    /** Lambda's limit on a streamed response; buffered here, see docs/adr/0009-provided-runtime.md. */
    static final int MAX_STREAMED_BYTES = 20 * 1024 * 1024;

    private final Function<Connector, RuntimeApiServer.Binding> channels;
    private final java.util.List<InstanceService> services;

    RuntimeApiHandler(Function<Connector, RuntimeApiServer.Binding> channels, java.util.List<InstanceService> services) {
        super(Invocable.InvocationType.BLOCKING);
        this.channels = channels;
        this.services = services;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        try {
            RuntimeApiServer.Binding binding = channels.apply(request.getConnectionMetaData().getConnector());
            if (binding == null) {
                answer(response, 410, "InstanceGone", "this instance has been stopped");
            } else if (isNext(request)) {
                next(binding, request, response, callback);
                return true; // the poll completes the callback when it is answered
            } else {
                route(binding, request, response);
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

    private void route(RuntimeApiServer.Binding binding, Request request, Response response)
            throws IOException, InterruptedException {
        RuntimeChannel channel = binding.channel;
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
            // node services (topics...) live outside the Runtime API, off its per-invocation path
            for (InstanceService service : services) {
                if (path.startsWith(service.prefix()) && (path.length() == service.prefix().length()
                        || path.charAt(service.prefix().length()) == '/')) {
                    serve(service, channel, request, response);
                    return;
                }
            }
            answer(response, 404, "NotFound", "unknown path " + path);
            return;
        }
        String rest = path.substring(PREFIX.length());
        if (rest.equals("init/error") && method.equals("POST")) {
            byte[] body = readPayload(channel, null, request, response, MAX_PAYLOAD_BYTES);
            if (body != null) {
                channel.initError(errorType(request.getHeaders()), body);
                answer(response, 202, null, null);
            }
        } else if (rest.startsWith("invocation/") && method.equals("POST")) {
            int slash = rest.indexOf('/', "invocation/".length());
            String id = slash < 0 ? "" : rest.substring("invocation/".length(), slash);
            String action = slash < 0 ? "" : rest.substring(slash + 1);
            switch (action) {
                case "response" -> respond(channel, id, request, response);
                case "error" -> {
                    byte[] body = readPayload(channel, id, request, response, MAX_PAYLOAD_BYTES);
                    if (body != null) {
                        acknowledge(response, channel.error(id, errorType(request.getHeaders()), body));
                    }
                }
                default -> answer(response, 404, "NotFound", "unknown path " + path);
            }
        } else {
            answer(response, 404, "NotFound", "unknown path " + method + " " + path);
        }
    }

    /** A node service called by the function, as the function (the socket says which). */
    private static void serve(InstanceService service, RuntimeChannel channel, Request request, Response response)
            throws IOException {
        String function = channel.functionName();
        if (function == null) {
            answer(response, 403, "NoFunction", "this instance runs no function yet");
            return;
        }
        InstanceService.Answer result;
        try {
            InstanceService.Caller caller = new InstanceService.Caller(channel.project(), function, channel.role(),
                    channel.session(), channel.runningRequestIds());
            if (service.serve(caller, request, response)) {
                return;
            }
            result = service.handle(caller, request);
        } catch (Exception e) {
            // the edge's one mapping of what a handler throws, in the Runtime API's own shape
            Failure failure = Failure.of(e);
            if (failure.kind() == Failure.Kind.INTERNAL) {
                org.slf4j.LoggerFactory.getLogger(RuntimeApiHandler.class).warn("{} failed for function {}",
                        service.prefix(), function, e);
            }
            if (failure.retryAfter() != null) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, failure.retryAfter());
            }
            answer(response, failure.status(), failure.kind() == Failure.Kind.TOO_LARGE ? "RequestEntityTooLarge"
                    : failure.code(), failure.kind() == Failure.Kind.TOO_LARGE ? e.getMessage() : failure.message());
            return;
        }
        Exchange.write(response, result.status(), "application/json", Json.write(result.body()));
    }

    /**
     * A buffered or a streamed result. A stream is read to its end here and delivered whole
     * (the edge answers invocations with complete bodies); an error the runtime reports midway
     * arrives in the trailers and turns the invocation into a function error.
     */
    private static void respond(RuntimeChannel channel, String id, Request request, Response response)
            throws IOException {
        String mode = request.getHeaders().get(RESPONSE_MODE_HEADER);
        boolean streaming = mode != null && mode.equalsIgnoreCase("streaming");
        if (mode != null && !streaming) {
            answer(response, 400, "InvalidFunctionResponseMode", "Invalid function response mode");
            return;
        }
        byte[] body = readPayload(channel, id, request, response, streaming ? MAX_STREAMED_BYTES : MAX_PAYLOAD_BYTES);
        if (body == null) {
            return;
        }
        HttpFields trailers = streaming ? request.getTrailers() : null;
        String failedType = trailers == null ? null : trailers.get(ERROR_TYPE_HEADER);
        if (failedType != null) {
            String encoded = trailers.get(ERROR_BODY_HEADER);
            byte[] errorJson;
            try {
                errorJson = encoded == null ? new byte[0] : Base64.getDecoder().decode(encoded.strip());
            } catch (IllegalArgumentException notBase64) {
                errorJson = encoded.getBytes(StandardCharsets.UTF_8);
            }
            acknowledge(response, channel.error(id, failedType, errorJson));
        } else {
            acknowledge(response, channel.respond(id, body));
        }
    }

    private static boolean isNext(Request request) {
        return request.getMethod().equals("GET") && request.getHttpURI().getPath().equals(PREFIX + "invocation/next");
    }

    /**
     * {@code invocation/next}: a long poll handed to the channel, answered by the thread that has
     * the invocation (usually the caller's: see {@link RuntimeChannel#poll}). A poll whose
     * connection fails while it waits is dropped, so no invocation is written into a dead one.
     */
    private static void next(RuntimeApiServer.Binding binding, Request request, Response response, Callback callback)
            throws IOException {
        RuntimeChannel channel = binding.channel;
        if (binding.invocations == RuntimeApiServer.Invocations.OVER_FRAMES) {
            // the runtime takes its invocations over frames, so a poll here can only come from code
            // inside the instance: refused before it holds anything, and its connection closed so
            // it cannot ask again on it
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            answer(response, 403, "InvocationsOverFrames", "this instance's runtime takes its invocations over "
                    + "its frame socket; invocation/next is not served here");
            callback.succeeded();
            return;
        }
        if (!binding.startPoll()) {
            answer(response, 429, "TooManyLongPolls", "this instance already has " + (channel.concurrency()
                    + RuntimeApiServer.SPARE_POLLS) + " invocation/next requests waiting (its concurrency is "
                    + channel.concurrency() + ")");
            callback.succeeded();
            return;
        }
        NextPoll poll = new NextPoll(binding, response, callback);
        request.addFailureListener(failure -> {
            if (poll.fail(failure)) {
                channel.abandon(poll);
            }
        });
        try {
            channel.poll(poll);
        } catch (InterruptedException e) {
            poll.fail(e);
            Thread.currentThread().interrupt();
        }
    }

    /** One waiting {@code invocation/next}: answered or failed once, its poll place given back then. */
    private static final class NextPoll implements RuntimeChannel.Poll {
        private final RuntimeApiServer.Binding binding;
        private final Response response;
        private final Callback callback;
        private final java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();

        NextPoll(RuntimeApiServer.Binding binding, Response response, Callback callback) {
            this.binding = binding;
            this.response = response;
            this.callback = callback;
        }

        @Override
        public boolean answer(PendingInvocation invocation) {
            if (!settled.compareAndSet(false, true)) {
                return false; // failed before: nothing was written
            }
            binding.endPoll();
            try {
                if (invocation == null) {
                    RuntimeApiHandler.answer(response, 410, "InstanceGone", "this instance is being stopped");
                } else {
                    write(invocation, response);
                }
                callback.succeeded();
                return true;
            } catch (Throwable e) {
                // the runtime's end of this poll is gone (Jetty does not notice a peer that closes
                // while its request waits, only the write does): a response with a Content-Length
                // that could not be written whole never reached a function, so the event goes on
                // to the next poll rather than being lost until its deadline
                callback.failed(e);
                return false;
            }
        }

        /** @return whether this failed the poll (false: it was answered already) */
        boolean fail(Throwable failure) {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            binding.endPoll();
            callback.failed(failure);
            return true;
        }
    }

    private static void write(PendingInvocation invocation, Response response) throws IOException {
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
        if (invocation.token() != null) {
            // Lambda's runtime clients ignore headers they do not know; Cumulus's runtime puts it in Context
            headers.put(TOKEN_HEADER, invocation.token());
        }
        Exchange.write(response, 200, "application/json", invocation.payload());
    }

    /**
     * The body, or null after answering 413. An oversized result still ends its invocation, with
     * the error Lambda gives it, so the caller is never left waiting for the timeout.
     */
    private static byte[] readPayload(RuntimeChannel channel, String id, Request request, Response response,
            int limit) throws IOException {
        try {
            return Exchange.readBody(request, limit);
        } catch (Exchange.BodyTooLargeException e) {
            if (id != null) {
                String message = "Response payload size exceeded maximum allowed payload size (" + limit + " bytes).";
                channel.error(id, "Function.ResponseSizeTooLarge", Json.write(Map.of(
                        "errorType", "Function.ResponseSizeTooLarge", "errorMessage", message)));
            }
            answer(response, 413, "RequestEntityTooLarge",
                    "Exceeded maximum allowed payload size (" + limit + " bytes).");
            return null;
        }
    }

    private static void acknowledge(Response response, Delivery delivery) throws IOException {
        switch (delivery) {
            case ACCEPTED -> answer(response, 202, null, null);
            case UNKNOWN_ID -> answer(response, 400, "InvalidRequestID", "Invalid request ID");
            case ALREADY_ANSWERED -> answer(response, 403, "InvalidStateTransition",
                    "State transition from ResponseSent to InvocationResponse failed for runtime. "
                            + "Error: the invocation already has its answer");
        }
    }

    private static String errorType(HttpFields headers) {
        String type = headers.get(ERROR_TYPE_HEADER);
        return type == null || type.isBlank() ? "Unhandled" : type;
    }

    /** The body of every 202: written once, not per invocation. */
    private static final byte[] OK = Json.write(Map.of("status", "OK"));

    private static void answer(Response response, int status, String errorType, String message) throws IOException {
        byte[] body = errorType == null
                ? OK
                : Json.write(Map.of("errorType", errorType, "errorMessage", message));
        Exchange.write(response, status, "application/json", body);
    }
}
