package dev.cumulus.lambdaapi;

import dev.cumulus.auth.SigV4;
import dev.cumulus.auth.SignedBody;
import dev.cumulus.errors.ApiException;
import dev.cumulus.functions.Functions;
import dev.cumulus.iam.Guard;
import dev.cumulus.iam.Principal;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.logs.LogStore;
import dev.cumulus.registry.FunctionArns;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.runtimeapi.RuntimeApiServer;
import dev.cumulus.scheduler.Scheduler;
import dev.cumulus.store.Database;
import dev.cumulus.web.Api;
import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Route;
import dev.cumulus.web.Router;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Request;

/**
 * Serves Lambda's API under every API version prefix its service model uses ({@code /2015-03-31/},
 * {@code /2017-03-31/}, ...): each {@link Operation} is a route whose IAM action is
 * {@code lambda:<Operation>}; every request is authenticated with Signature Version 4, then the
 * access key's principal is authorised by the guard, and refusals are answered in Lambda's error
 * shape ({@link LambdaErrors}), which the AWS SDKs map to their exception classes.
 */
public final class LambdaApi {
    private static final long CONFIG_BODY_LIMIT = 1024 * 1024;
    /** Where a large signed body waits for its check: a 600 file, deleted right after. */
    private static final java.nio.file.Path SIGNED_BODY_DIR = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
    /** Lambda's limit for an Event invocation's payload. */
    static final long EVENT_PAYLOAD_LIMIT = 256 * 1024;

    private final SigV4 signatures;
    private final Guard guard;
    private final CodeLinks codeLinks;
    private final long codeBodyLimit;
    /** Each project's operations, made on its first request: a key acts only in its own project. */
    private final java.util.concurrent.ConcurrentMap<String, InProject> projects =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.function.Function<String, InProject> inProject;

    /** The operations of one project, over its functions, settings and ARNs (its account id). */
    private record InProject(Scope scope, Operations operations, Concurrency concurrency, FunctionUrls urls,
            Permissions permissions) {}

    /**
     * The node's settings the Lambda API reports.
     *
     * @param region the node's region, in every ARN
     * @param maxInstances the node's instance limit (GetAccountSettings' concurrency)
     */
    public record Limits(String region, long maxCodeBytes, int maxInstances) {}

    public LambdaApi(SigV4 signatures, Guard guard, FunctionRegistry registry, Scheduler scheduler, Invoker invoker,
            AsyncInvoker async, LogStore logs, Database db, Limits limits, Functions functions, Clock clock) {
        this.signatures = signatures;
        this.guard = guard;
        this.codeLinks = new CodeLinks(registry, clock);
        this.inProject = project -> {
            Scope scope = new Scope(limits.region(), project, registry.project(project),
                    new LambdaStore(db, project, clock), scheduler, functions);
            return new InProject(scope, new Operations(scope, invoker, async, logs, codeLinks, limits),
                    new Concurrency(scope), new FunctionUrls(scope), new Permissions(scope));
        };
        // the zip arrives base64 in a JSON document: 4/3 of its size plus the settings around it
        this.codeBodyLimit = limits.maxCodeBytes() / 3 * 4 + 8 + CONFIG_BODY_LIMIT;
    }

    /** The Lambda API as the edge serves it: every API version prefix, its routes and its dialect. */
    public Api.Builder api() {
        return Api.builder("lambda")
                .prefixes(Operation.API_VERSIONS.stream().map(v -> "/" + v + "/").toList())
                .router(Router.of(routes()))
                .dialect(new LambdaErrors())
                .guard(guard)
                .authenticator(this::authenticate);
    }

    List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        // a presigned link, as Lambda's Code.Location is: the query carries the proof, not a signature
        routes.add(Route.get("/2015-03-31/" + CodeLinks.PATH + "/{sha256}")
                .authorize("lambda:GetFunction", "functions", "*").publicAccess()
                .handle(call -> codeLinks.serve(call.request(), call.response(), call.param("sha256"))));
        for (Operation op : Operation.all()) {
            Route.Builder route = Route.of(op.method, op.template());
            if (op.path.contains("{FunctionName}")) {
                route.authorize(op.action(), "functions", "{FunctionName}",
                        call -> functionName(call, call.param("FunctionName")));
            } else if (op.path.contains("{Resource}")) {
                route.authorize(op.action(), "functions", "{Resource}", call -> functionName(call, call.param("Resource")));
            } else {
                route.authorize(op.action(), "functions", "*");
            }
            if (op.requiredQuery != null) {
                route.whenQuery(op.requiredQuery);
            }
            routes.add(route.handle(call -> dispatch(call, op)));
        }
        return routes;
    }

    /** The function a {@code FunctionName} (a name, partial ARN or ARN, maybe qualified) names. */
    private String functionName(Call call, String functionName) {
        return FunctionRef.parse(functionName, null, FunctionArns.account(call.project())).name();
    }

    private InProject in(Call call) {
        return projects.computeIfAbsent(call.project(), inProject);
    }

    /**
     * Checks the signature over the body, hashed as it streams and a large one on disk: nothing an
     * unsigned client sends is brought onto the heap before its signature holds (issue 10). Then
     * the guard names the access key's principal.
     */
    private Principal authenticate(Call call) throws Exception {
        Request request = call.request();
        String requestId = Invoker.newRequestId();
        request.setAttribute(LambdaErrors.REQUEST_ID, requestId);
        SigV4.Checked checked;
        try {
            checked = signatures.check(new SigV4.Request(request.getMethod(), request.getHttpURI().getPath(),
                    request.getHttpURI().getQuery(), name -> request.getHeaders().getValuesList(name)));
            try (SignedBody signed = SignedBody.read(Exchange.body(request, bodyLimit(call.route().action())),
                    SIGNED_BODY_DIR)) {
                SigV4.verify(checked, signed.sha256Hex());
                call.keepBody(signed.bytes());
            }
        } catch (SigV4.SignatureException e) {
            throw new ApiException(403, e.type(), e.getMessage());
        }
        call.response().getHeaders().put("x-amzn-RequestId", requestId);
        return guard.accessKey(checked.accessKeyId(), call.facts()).orElseThrow(() -> new ApiException(403,
                "UnrecognizedClientException", "The security token included in the request is invalid."));
    }

    private long bodyLimit(String action) {
        return switch (action) {
            case "lambda:InvokeFunction" -> RuntimeApiServer.MAX_PAYLOAD_BYTES;
            case "lambda:CreateFunction", "lambda:UpdateFunctionCode" -> codeBodyLimit;
            default -> CONFIG_BODY_LIMIT;
        };
    }

    private void dispatch(Call call, Operation operation) throws Exception {
        String requestId = (String) call.request().getAttribute(LambdaErrors.REQUEST_ID);
        InProject project = in(call);
        Operations operations = project.operations();
        Concurrency concurrency = project.concurrency();
        FunctionUrls urls = project.urls();
        Permissions permissions = project.permissions();
        switch (operation) {
            case ListFunctions -> operations.listFunctions(call);
            case CreateFunction -> operations.createFunction(call);
            case GetFunction -> operations.getFunction(call, fn(call));
            case DeleteFunction -> operations.deleteFunction(call, fn(call));
            case GetFunctionConfiguration -> operations.getConfiguration(call, fn(call));
            case UpdateFunctionConfiguration -> operations.updateConfiguration(call, fn(call));
            case UpdateFunctionCode -> operations.updateCode(call, fn(call));
            case ListVersionsByFunction -> operations.listVersions(call, fn(call));
            case PublishVersion -> operations.publishVersion(call, fn(call));
            case ListAliases -> operations.listAliases(call, fn(call));
            case CreateAlias -> operations.createAlias(call, fn(call));
            case GetAlias -> operations.getAlias(call, fn(call), call.param("Name"));
            case UpdateAlias -> operations.updateAlias(call, fn(call), call.param("Name"));
            case DeleteAlias -> operations.deleteAlias(call, fn(call), call.param("Name"));
            case Invoke -> operations.invoke(call, fn(call), requestId);
            case AddPermission -> permissions.add(call, fn(call));
            case GetPolicy -> permissions.get(call, fn(call));
            case RemovePermission -> permissions.remove(call, fn(call), call.param("StatementId"));
            case ListEventSourceMappings -> operations.listEventSourceMappings(call);
            case CreateEventSourceMapping -> operations.createEventSourceMapping(call);
            case GetEventSourceMapping, UpdateEventSourceMapping, DeleteEventSourceMapping ->
                    operations.eventSourceMapping(call, call.param("UUID"));
            case GetAccountSettings -> operations.accountSettings(call);
            case ListTags -> operations.listTags(call, call.param("Resource"));
            case TagResource -> operations.tag(call, call.param("Resource"));
            case UntagResource -> operations.untag(call, call.param("Resource"));
            case PutFunctionConcurrency -> concurrency.putReserved(call, fn(call));
            case DeleteFunctionConcurrency -> concurrency.deleteReserved(call, fn(call));
            case GetFunctionConcurrency -> concurrency.getReserved(call, fn(call));
            case ListProvisionedConcurrencyConfigs -> concurrency.listProvisioned(call, fn(call));
            case GetProvisionedConcurrencyConfig -> concurrency.getProvisioned(call, fn(call));
            case PutProvisionedConcurrencyConfig -> concurrency.putProvisioned(call, fn(call));
            case DeleteProvisionedConcurrencyConfig -> concurrency.deleteProvisioned(call, fn(call));
            case GetFunctionCodeSigningConfig -> operations.codeSigningConfig(call, fn(call));
            case CreateFunctionUrlConfig -> urls.create(call, fn(call));
            case GetFunctionUrlConfig -> urls.get(call, fn(call));
            case UpdateFunctionUrlConfig -> urls.update(call, fn(call));
            case DeleteFunctionUrlConfig -> urls.delete(call, fn(call));
            case ListFunctionUrlConfigs -> urls.list(call, fn(call));
        }
    }

    private static String fn(Call call) {
        return call.param("FunctionName");
    }
}
