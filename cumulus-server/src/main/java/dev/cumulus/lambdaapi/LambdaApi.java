package dev.cumulus.lambdaapi;

import dev.cumulus.auth.SigV4;
import dev.cumulus.auth.SignedBody;
import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.logs.LogStore;
import dev.cumulus.registry.FunctionDeletion;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.runtimeapi.RuntimeApiServer;
import dev.cumulus.scheduler.Scheduler;
import dev.cumulus.scheduler.ThrottledException;
import dev.cumulus.store.Database;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Mount;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves Lambda's API under every API version prefix its service model uses ({@code /2015-03-31/},
 * {@code /2017-03-31/}, ...): authenticates every request with Signature Version 4, routes it to
 * an {@link Operation}, and answers refusals in Lambda's error shape, which the AWS SDKs map to
 * their exception classes. {@link #mounts()} gives one edge mount per prefix.
 */
public final class LambdaApi {
    private static final Logger LOG = LoggerFactory.getLogger(LambdaApi.class);
    private static final long CONFIG_BODY_LIMIT = 1024 * 1024;
    /** Where a large signed body waits for its check: a 600 file, deleted right after. */
    private static final java.nio.file.Path SIGNED_BODY_DIR = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
    /** Lambda's limit for an Event invocation's payload. */
    static final long EVENT_PAYLOAD_LIMIT = 256 * 1024;

    private final SigV4 signatures;
    private final CodeLinks codeLinks;
    private final Operations operations;
    private final Concurrency concurrency;
    private final FunctionUrls urls;
    private final Permissions permissions;
    private final long codeBodyLimit;

    /**
     * The node's settings the Lambda API reports.
     *
     * @param region the node's region, in every ARN
     * @param project whose functions these are; its account id is in every ARN
     * @param maxInstances the node's instance limit (GetAccountSettings' concurrency)
     */
    public record Limits(String region, String project, long maxCodeBytes, int maxInstances) {}

    public LambdaApi(SigV4 signatures, FunctionRegistry registry, Scheduler scheduler, Invoker invoker,
            AsyncInvoker async, LogStore logs, Database db, Limits limits, FunctionDeletion deletion, Clock clock) {
        this.signatures = signatures;
        Scope scope = new Scope(limits.region(), limits.project(), registry.project(limits.project()),
                new LambdaStore(db, limits.project(), clock), scheduler);
        this.codeLinks = new CodeLinks(registry, clock);
        this.operations = new Operations(scope, invoker, async, logs, codeLinks, limits, deletion);
        this.concurrency = new Concurrency(scope);
        this.urls = new FunctionUrls(scope);
        this.permissions = new Permissions(scope);
        // the zip arrives base64 in a JSON document: 4/3 of its size plus the settings around it
        this.codeBodyLimit = limits.maxCodeBytes() / 3 * 4 + 8 + CONFIG_BODY_LIMIT;
    }

    /** One edge mount per Lambda API version, all answered here. */
    public List<Mount> mounts() {
        return Operation.API_VERSIONS.stream().<Mount>map(version -> new Mount() {
            @Override
            public String prefix() {
                return "/" + version + "/";
            }

            @Override
            public Access access() {
                return Access.OWN;
            }

            @Override
            public void handle(Request request, Response response) {
                LambdaApi.this.handle(version, request, response);
            }
        }).toList();
    }

    /** One call on its way through: the API version, the route, the node's region and the body. */
    record Call(Request request, Response response, String apiVersion, String method, List<String> path,
            byte[] body) {
        String query(String name) {
            return Request.extractQueryParameters(request).getValue(name);
        }

        List<String> queryValues(String name) {
            List<String> values = Request.extractQueryParameters(request).getValues(name);
            return values == null ? List.of() : values;
        }

        String header(String name) {
            return request.getHeaders().get(name);
        }

        /** The node as the caller reached it, e.g. {@code http://127.0.0.1:8080}. */
        String baseUrl() {
            var uri = request.getHttpURI();
            return uri.getScheme() + "://" + uri.getAuthority();
        }
    }

    private void handle(String apiVersion, Request request, Response response) {
        String requestId = Invoker.newRequestId();
        try {
            String rawPath = request.getHttpURI().getPath();
            List<String> path = segments(rawPath.substring(apiVersion.length() + 2));
            if (CodeLinks.isDownload(request.getMethod(), apiVersion, path)) {
                // a presigned link, as Lambda's Code.Location is: the query carries the proof
                codeLinks.serve(request, response, path);
                return;
            }
            SigV4.Checked checked = signatures.check(new SigV4.Request(request.getMethod(), rawPath,
                    request.getHttpURI().getQuery(), name -> request.getHeaders().getValuesList(name)));
            // hashed as it streams, a large one on disk: nothing an unsigned client sends is
            // brought onto the heap before its signature holds (issue 10)
            byte[] body;
            try (SignedBody signed = SignedBody.read(Exchange.body(request, bodyLimit(request.getMethod(), path)),
                    SIGNED_BODY_DIR)) {
                SigV4.verify(checked, signed.sha256Hex());
                body = signed.bytes();
            }
            response.getHeaders().put("x-amzn-RequestId", requestId);
            Call call = new Call(request, response, apiVersion, request.getMethod(), path, body);
            Operation.Match match = Operation.match(call).orElseThrow(() -> unknown(call));
            dispatch(call, match.operation(), match.parameters(), requestId);
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
        } catch (Exchange.BodyTimeoutException e) {
            respond(request, response, requestId, LambdaError.user(408, "RequestTimeoutException", e.getMessage()));
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

    private void dispatch(Call call, Operation operation, List<String> p, String requestId) throws Exception {
        switch (operation) {
            case ListFunctions -> operations.listFunctions(call);
            case CreateFunction -> operations.createFunction(call);
            case GetFunction -> operations.getFunction(call, p.get(0));
            case DeleteFunction -> operations.deleteFunction(call, p.get(0));
            case GetFunctionConfiguration -> operations.getConfiguration(call, p.get(0));
            case UpdateFunctionConfiguration -> operations.updateConfiguration(call, p.get(0));
            case UpdateFunctionCode -> operations.updateCode(call, p.get(0));
            case ListVersionsByFunction -> operations.listVersions(call, p.get(0));
            case PublishVersion -> operations.publishVersion(call, p.get(0));
            case ListAliases -> operations.listAliases(call, p.get(0));
            case CreateAlias -> operations.createAlias(call, p.get(0));
            case GetAlias -> operations.getAlias(call, p.get(0), p.get(1));
            case UpdateAlias -> operations.updateAlias(call, p.get(0), p.get(1));
            case DeleteAlias -> operations.deleteAlias(call, p.get(0), p.get(1));
            case Invoke -> operations.invoke(call, p.get(0), requestId);
            case AddPermission -> permissions.add(call, p.get(0));
            case GetPolicy -> permissions.get(call, p.get(0));
            case RemovePermission -> permissions.remove(call, p.get(0), p.get(1));
            case ListEventSourceMappings -> operations.listEventSourceMappings(call);
            case CreateEventSourceMapping -> operations.createEventSourceMapping(call);
            case GetEventSourceMapping, UpdateEventSourceMapping, DeleteEventSourceMapping ->
                    operations.eventSourceMapping(call, p.get(0));
            case GetAccountSettings -> operations.accountSettings(call);
            case ListTags -> operations.listTags(call, p.get(0));
            case TagResource -> operations.tag(call, p.get(0));
            case UntagResource -> operations.untag(call, p.get(0));
            case PutFunctionConcurrency -> concurrency.putReserved(call, p.get(0));
            case DeleteFunctionConcurrency -> concurrency.deleteReserved(call, p.get(0));
            case GetFunctionConcurrency -> concurrency.getReserved(call, p.get(0));
            case ListProvisionedConcurrencyConfigs -> concurrency.listProvisioned(call, p.get(0));
            case GetProvisionedConcurrencyConfig -> concurrency.getProvisioned(call, p.get(0));
            case PutProvisionedConcurrencyConfig -> concurrency.putProvisioned(call, p.get(0));
            case DeleteProvisionedConcurrencyConfig -> concurrency.deleteProvisioned(call, p.get(0));
            case GetFunctionCodeSigningConfig -> operations.codeSigningConfig(call, p.get(0));
            case CreateFunctionUrlConfig -> urls.create(call, p.get(0));
            case GetFunctionUrlConfig -> urls.get(call, p.get(0));
            case UpdateFunctionUrlConfig -> urls.update(call, p.get(0));
            case DeleteFunctionUrlConfig -> urls.delete(call, p.get(0));
            case ListFunctionUrlConfigs -> urls.list(call, p.get(0));
        }
    }

    private static LambdaError unknown(Call call) {
        return LambdaError.user(404, "UnknownOperationException", "Cumulus does not serve " + call.method() + " /"
                + call.apiVersion() + "/" + String.join("/", call.path())
                + " (docs/lambda-compatibility.md lists the operations it does)");
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
            case 403 -> LambdaError.user(403, "AccessDeniedException", e.getMessage());
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
