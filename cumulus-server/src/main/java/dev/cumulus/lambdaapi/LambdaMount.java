package dev.cumulus.lambdaapi;

import dev.cumulus.auth.SigV4;
import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.logs.LogStore;
import dev.cumulus.registry.FunctionDeletion;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.runtimeapi.RuntimeApiServer;
import dev.cumulus.scheduler.Scheduler;
import dev.cumulus.scheduler.ThrottledException;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Mount;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /2015-03-31/}: authenticates every request with Signature Version 4, routes it
 * to an {@link Operations} method by Lambda's REST paths, and answers refusals in Lambda's error
 * shape, which the AWS SDKs map to their exception classes.
 */
public final class LambdaMount implements Mount {
    static final String PREFIX = "/2015-03-31/";
    private static final Logger LOG = LoggerFactory.getLogger(LambdaMount.class);
    private static final long CONFIG_BODY_LIMIT = 1024 * 1024;
    /** Lambda's limit for an Event invocation's payload. */
    static final long EVENT_PAYLOAD_LIMIT = 256 * 1024;

    private final SigV4 signatures;
    private final Operations operations;
    private final long codeBodyLimit;

    public LambdaMount(SigV4 signatures, FunctionRegistry registry, Scheduler scheduler, Invoker invoker,
            AsyncInvoker async, LogStore logs, long maxCodeBytes, FunctionDeletion deletion) {
        this.signatures = signatures;
        this.operations = new Operations(registry, scheduler, invoker, async, logs, maxCodeBytes, deletion);
        // the zip arrives base64 in a JSON document: 4/3 of its size plus the settings around it
        this.codeBodyLimit = maxCodeBytes / 3 * 4 + 8 + CONFIG_BODY_LIMIT;
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public Access access() {
        return Access.OWN;
    }

    /** One call on its way through: the route, the caller's region and its body. */
    record Call(Request request, Response response, String method, List<String> path, String region, byte[] body) {
        String query(String name) {
            return Request.extractQueryParameters(request).getValue(name);
        }

        String header(String name) {
            return request.getHeaders().get(name);
        }
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        String requestId = Invoker.newRequestId();
        try {
            String rawPath = request.getHttpURI().getPath();
            SigV4.Checked checked = signatures.check(new SigV4.Request(request.getMethod(), rawPath,
                    request.getHttpURI().getQuery(), name -> request.getHeaders().getValuesList(name)));
            List<String> path = segments(rawPath.substring(PREFIX.length()));
            byte[] body = Exchange.readBody(request, bodyLimit(request.getMethod(), path));
            SigV4.verify(checked, body);
            response.getHeaders().put("x-amzn-RequestId", requestId);
            operations.dispatch(new Call(request, response, request.getMethod(), path, checked.region(), body), requestId);
        } catch (SigV4.SignatureException e) {
            respond(request, response, requestId, new LambdaError(403, e.type(), e.getMessage(), null, Map.of(), null));
        } catch (LambdaError e) {
            respond(request, response, requestId, e);
        } catch (ApiException e) {
            respond(request, response, requestId, translate(e));
        } catch (ThrottledException e) {
            long seconds = Math.max(1, e.retryAfter().toSeconds());
            respond(request, response, requestId, new LambdaError(429, "TooManyRequestsException", e.getMessage(), "User",
                    Map.of("retryAfterSeconds", Long.toString(seconds), "Reason", "ConcurrentInvocationLimitExceeded"),
                    Long.toString(seconds)));
        } catch (Exchange.BodyTooLargeException e) {
            respond(request, response, requestId, LambdaError.user(413, "RequestTooLargeException",
                    "Request must be smaller than " + e.limit() + " bytes for this operation"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(request, response, requestId, new LambdaError(503, "ServiceException", "the node is shutting down",
                    "Service", Map.of(), null));
        } catch (Exception e) {
            LOG.error("unexpected failure on {} {}", request.getMethod(), request.getHttpURI().getPath(), e);
            respond(request, response, requestId, new LambdaError(500, "ServiceException",
                    "the node failed to handle the request", "Service", Map.of(), null));
        }
    }

    private long bodyLimit(String method, List<String> path) {
        if (path.size() == 3 && path.get(2).equals("invocations")) {
            return RuntimeApiServer.MAX_PAYLOAD_BYTES;
        }
        boolean carriesCode = (method.equals("POST") && path.size() <= 2 && !path.isEmpty() && path.getFirst().equals("functions"))
                || (path.size() == 3 && path.get(2).equals("code"));
        return carriesCode ? codeBodyLimit : CONFIG_BODY_LIMIT;
    }

    /** The registry's and invoker's refusals under Lambda's names. */
    static LambdaError translate(ApiException e) {
        return switch (e.status()) {
            case 404 -> LambdaError.notFound(e.getMessage());
            case 409 -> LambdaError.user(409, "ResourceConflictException", e.getMessage());
            case 412 -> LambdaError.user(412, "PreconditionFailedException", e.getMessage());
            case 413 -> LambdaError.user(413, "RequestTooLargeException", e.getMessage());
            case 400 -> e.code().equals("MalformedJson")
                    ? LambdaError.user(400, "InvalidRequestContentException", e.getMessage())
                    : LambdaError.invalid(e.getMessage());
            default -> e.status() >= 500
                    ? new LambdaError(e.status(), "ServiceException", e.getMessage(), "Service", Map.of(), null)
                    : LambdaError.user(e.status(), "InvalidParameterValueException", e.getMessage());
        };
    }

    private static void respond(Request request, Response response, String requestId, LambdaError error) {
        if (response.isCommitted()) {
            LOG.warn("{} after the response started: {}", error.type, error.getMessage());
            return;
        }
        response.reset();
        if (!request.consumeAvailable()) {
            // an unread body would be taken for the next request on this connection
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.getHeaders().put("x-amzn-RequestId", requestId);
        response.getHeaders().put("x-amzn-ErrorType", error.type);
        if (error.retryAfter != null) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, error.retryAfter);
        }
        Map<String, String> body = new LinkedHashMap<>();
        if (error.kind != null) {
            body.put("Type", error.kind);
        }
        body.put("message", error.getMessage());
        body.putAll(error.extra);
        try {
            Exchange.write(response, error.status, "application/json", Json.write(body));
        } catch (IOException e) {
            LOG.debug("could not send {}", error.type, e);
        }
    }

    /** The path after the prefix, split and percent-decoded segment by segment (ARNs arrive as %3A). */
    private static List<String> segments(String rest) {
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        if (rest.isEmpty()) {
            return List.of();
        }
        try {
            return java.util.Arrays.stream(rest.split("/", -1))
                    .map(s -> URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8))
                    .toList();
        } catch (IllegalArgumentException e) {
            throw LambdaError.invalid("the path is not properly percent-encoded: " + rest);
        }
    }
}
