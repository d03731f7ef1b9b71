package dev.cumulus.lambdaapi;

import dev.cumulus.web.Call;
import static dev.cumulus.lambdaapi.Fields.bool;
import static dev.cumulus.lambdaapi.Fields.integer;
import static dev.cumulus.lambdaapi.Fields.only;
import static dev.cumulus.lambdaapi.Fields.text;
import static dev.cumulus.lambdaapi.Fields.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.Invocation;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.logs.LogLine;
import dev.cumulus.logs.LogStore;
import dev.cumulus.registry.Alias;
import dev.cumulus.registry.CodeRef;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionInfo;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.io.Content;

/**
 * Lambda's operations on functions, code, versions, aliases, tags and invocations, plus the
 * account-level reads tools make; {@link LambdaApi} does HTTP, auth and routing.
 */
final class Operations {
    private static final String JSON = "application/json";
    /** Lambda returns the last 4 KB of an invocation's log with {@code X-Amz-Log-Type: Tail}. */
    static final int LOG_TAIL_BYTES = 4096;
    private static final int MAX_CLIENT_CONTEXT_BYTES = 3583;
    /** Fields tools send empty by default ({@code "KMSKeyArn": ""}): they set nothing. */
    private static final List<String> CREATE_FIELDS = List.of("FunctionName", "Handler", "Code", "Timeout", "MemorySize",
            "Publish", "Environment", "PackageType", "Tags");

    private final Scope scope;
    private final Invoker invoker;
    private final AsyncInvoker async;
    private final LogStore logs;
    private final CodeLinks codeLinks;
    private final LambdaApi.Limits limits;

    Operations(Scope scope, Invoker invoker, AsyncInvoker async, LogStore logs, CodeLinks codeLinks,
            LambdaApi.Limits limits) {
        this.scope = scope;
        this.invoker = invoker;
        this.async = async;
        this.logs = logs;
        this.codeLinks = codeLinks;
        this.limits = limits;
    }

    // ---- functions

    void createFunction(Call call) throws IOException {
        JsonNode body = Fields.body(call);
        List<String> allowed = new ArrayList<>(CREATE_FIELDS);
        allowed.addAll(KeptSettings.FIELDS);
        only(body, allowed.toArray(String[]::new));
        FunctionRef ref = FunctionRef.parse(text(body, "FunctionName", true), null, scope.account()).unqualified();
        if (scope.registry().get(ref.name()).isPresent()) {
            throw LambdaError.user(409, "ResourceConflictException", "Function already exist: " + ref.name());
        }
        String packageType = text(body, "PackageType", false);
        if (packageType != null && !packageType.equals("Zip")) {
            throw LambdaError.invalid("Cumulus runs Zip packages only, not PackageType " + packageType);
        }
        String handler = text(body, "Handler", true);
        FunctionConfig defaults = FunctionConfig.defaults(ref.name(), handler);
        FunctionConfig config = new FunctionConfig(ref.name(), Runtimes.toCumulus(text(body, "Runtime", true)), handler,
                integer(body, "MemorySize", defaults.memoryMb()), integer(body, "Timeout", defaults.timeoutSeconds()),
                environment(body, Map.of()), defaults.maxInstances(), defaults.concurrency(), null, false, 0);
        ObjectNode kept = KeptSettings.merge(Json.MAPPER.createObjectNode(), body);
        Map<String, String> tags = tags(body);
        JsonNode code = body.get("Code");
        if (code == null || !code.isObject()) {
            throw LambdaError.invalid("Code is required: {\"ZipFile\": base64 of the zip}");
        }
        only(code, "ZipFile");
        CodeRef stored = storeZip(text(code, "ZipFile", true));
        FunctionInfo info = scope.put(call, config, stored.sha256());
        scope.store().putSettings(ref.name(), FunctionVersion.LATEST, kept);
        scope.store().tag(ref.name(), tags);
        write(call, 201, bool(body, "Publish")
                ? scope.versionConfiguration(publish(ref.name(), null))
                : scope.latestConfiguration(info));
    }

    void getFunction(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName);
        ObjectNode configuration = describe(ref);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("Configuration", configuration);
        FunctionVersion version = scope.registry().resolve(ref.name(), configuration.get("Version").asText());
        out.putObject("Code").put("RepositoryType", "S3").put("Location", codeLinks.link(call, version.code()));
        Map<String, String> tags = scope.store().tags(ref.name());
        if (!tags.isEmpty()) {
            ObjectNode tagNode = out.putObject("Tags");
            tags.forEach(tagNode::put);
        }
        Concurrency.reserved(scope, scope.requireFunction(ref.name()))
                .ifPresent(n -> out.putObject("Concurrency").put("ReservedConcurrentExecutions", n));
        write(call, 200, out);
    }

    void getConfiguration(Call call, String functionName) throws IOException {
        write(call, 200, describe(scope.ref(call, functionName)));
    }

    /** The configuration a reference names; an alias shows the version it points at. */
    private ObjectNode describe(FunctionRef ref) {
        String qualifier = ref.qualifier();
        if (qualifier == null || qualifier.equals(FunctionVersion.LATEST)) {
            return scope.latestConfiguration(scope.requireFunction(ref.name()));
        }
        if (!qualifier.chars().allMatch(Character::isDigit)) {
            qualifier = requireAlias(new FunctionRef(ref.name(), null), qualifier).functionVersion();
        }
        return scope.versionConfiguration(scope.registry().resolve(ref.name(), qualifier));
    }

    void listFunctions(Call call) throws IOException {
        List<ObjectNode> all = new ArrayList<>();
        for (FunctionInfo info : scope.registry().list()) {
            all.add(scope.latestConfiguration(info));
        }
        write(call, 200, Fields.page(call, "Functions", all));
    }

    void deleteFunction(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName);
        String qualifier = ref.qualifier();
        if (qualifier != null && !qualifier.equals(FunctionVersion.LATEST)) {
            if (!qualifier.chars().allMatch(Character::isDigit)) {
                throw LambdaError.invalid("Deletion of aliases is not supported by DeleteFunction; use DeleteAlias for '"
                        + qualifier + "'");
            }
            scope.requireFunction(ref.name());
            if (!scope.functions().deleteVersion(scope.project(), ref.name(), qualifier)) {
                throw LambdaError.notFound("Function not found: " + scope.arn(ref.name(), qualifier));
            }
            scope.store().deleteSettings(ref.name(), qualifier);
            Fields.noContent(call);
            return;
        }
        if (scope.registry().get(ref.name()).isEmpty()) {
            throw scope.functionNotFound(ref.name());
        }
        // unlike Lambda, refuses (409 ResourceConflictException) while routes, schedules,
        // subscriptions or mappings name the function: docs/adr/0017
        scope.functions().delete(scope.project(), ref.name(), false);
        Fields.noContent(call);
    }

    void updateConfiguration(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        JsonNode body = Fields.body(call);
        List<String> allowed = new ArrayList<>(List.of("Handler", "Timeout", "MemorySize", "Environment", "RevisionId"));
        allowed.addAll(KeptSettings.FIELDS);
        only(body, allowed.toArray(String[]::new));
        FunctionInfo info = scope.requireFunction(ref.name());
        checkRevision(body, scope.revisionId(info));
        ObjectNode current = scope.kept(ref.name(), FunctionVersion.LATEST);
        ObjectNode kept = KeptSettings.merge(current, body);
        FunctionConfig c = info.config();
        String runtime = body.hasNonNull("Runtime") ? Runtimes.toCumulus(text(body, "Runtime", true)) : c.runtime();
        String handler = body.hasNonNull("Handler") ? text(body, "Handler", true) : c.handler();
        FunctionConfig changed = new FunctionConfig(c.name(), runtime, handler, integer(body, "MemorySize", c.memoryMb()),
                integer(body, "Timeout", c.timeoutSeconds()), environment(body, c.environment()), c.maxInstances(),
                c.concurrency(), c.keepAliveSeconds(), c.publicUrl(), c.provisionedConcurrency(), c.mounts(), c.async(),
                c.role(), c.egress(), c.urlAuth());
        FunctionInfo updated = scope.put(call, changed, null);
        if (!kept.equals(current)) {
            scope.store().putSettings(ref.name(), FunctionVersion.LATEST, kept);
        }
        write(call, 200, scope.latestConfiguration(updated));
    }

    void updateCode(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        JsonNode body = Fields.body(call);
        only(body, "ZipFile", "Publish", "DryRun", "RevisionId", "Architectures", "S3Bucket", "S3Key",
                "S3ObjectVersion", "ImageUri");
        for (String field : List.of("S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri")) {
            if (body.hasNonNull(field)) {
                throw LambdaError.invalid(field + " is not supported by Cumulus: send the zip as ZipFile");
            }
        }
        FunctionInfo info = scope.requireFunction(ref.name());
        checkRevision(body, scope.revisionId(info));
        ObjectNode current = scope.kept(ref.name(), FunctionVersion.LATEST);
        ObjectNode kept = KeptSettings.merge(current, body);
        CodeRef stored = storeZip(text(body, "ZipFile", true));
        if (bool(body, "DryRun")) {
            write(call, 200, Shapes.configuration(scope, new FunctionVersion(scope.project(), FunctionVersion.LATEST,
                    info.revision(), info.config(), stored, info.updatedAt()), info.updatedAt(), kept, scope.revisionId(info)));
            return;
        }
        FunctionInfo updated = scope.put(call, info.config(), stored.sha256());
        if (!kept.equals(current)) {
            scope.store().putSettings(ref.name(), FunctionVersion.LATEST, kept);
        }
        write(call, 200, bool(body, "Publish")
                ? scope.versionConfiguration(publish(ref.name(), null))
                : scope.latestConfiguration(updated));
    }

    private CodeRef storeZip(String base64) {
        byte[] zip;
        try {
            zip = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw LambdaError.invalid("ZipFile must be base64: " + e.getMessage());
        }
        return scope.registry().storeCode(new ByteArrayInputStream(zip), limits.maxCodeBytes());
    }

    // ---- versions

    void publishVersion(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        JsonNode body = Fields.body(call);
        only(body, "CodeSha256", "Description", "RevisionId");
        FunctionInfo info = scope.requireFunction(ref.name());
        checkRevision(body, scope.revisionId(info));
        String expectedCode = text(body, "CodeSha256", false);
        if (expectedCode != null && !expectedCode.equals(Shapes.codeSha256(info.code()))) {
            throw LambdaError.invalid("CodeSHA256 (" + expectedCode + ") is different from current CodeSHA256 in $LATEST ("
                    + Shapes.codeSha256(info.code()) + "). Please try again with the CodeSHA256 in $LATEST.");
        }
        write(call, 201, scope.versionConfiguration(publish(ref.name(), text(body, "Description", false))));
    }

    /**
     * Lambda's publish: when neither code nor configuration changed since the last published
     * version, that version is the answer; otherwise $LATEST becomes the next one, keeping its
     * settings (with {@code description} as the version's own, when given).
     */
    private FunctionVersion publish(String name, String description) {
        FunctionInfo info = scope.requireFunction(name);
        ObjectNode kept = scope.kept(name, FunctionVersion.LATEST);
        List<FunctionVersion> versions = scope.registry().versions(name);
        if (!versions.isEmpty()) {
            FunctionVersion last = versions.getLast();
            if (last.config().equals(info.config()) && last.code().equals(info.code())
                    && KeptSettings.sameAsVersion(kept, scope.kept(name, last.version()))) {
                return last;
            }
        }
        FunctionVersion version = scope.functions().publish(scope.project(), name);
        scope.store().putSettings(name, version.version(), KeptSettings.forVersion(kept, description));
        return version;
    }

    void listVersions(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        List<ObjectNode> all = new ArrayList<>();
        all.add(scope.latestConfiguration(scope.requireFunction(ref.name())));
        for (FunctionVersion version : scope.registry().versions(ref.name())) {
            all.add(scope.versionConfiguration(version));
        }
        write(call, 200, Fields.page(call, "Versions", all));
    }

    // ---- aliases

    void createAlias(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        JsonNode body = Fields.body(call);
        only(body, "Name", "FunctionVersion", "Description", "RoutingConfig");
        scope.requireFunction(ref.name());
        Alias.Spec spec = new Alias.Spec(text(body, "FunctionVersion", true), text(body, "Description", false),
                routing(body.get("RoutingConfig")));
        write(call, 201, Shapes.alias(scope, scope.registry().createAlias(ref.name(), text(body, "Name", true), spec)));
    }

    void getAlias(Call call, String functionName, String name) throws IOException {
        write(call, 200, Shapes.alias(scope, requireAlias(scope.ref(call, functionName).unqualified(), name)));
    }

    void updateAlias(Call call, String functionName, String name) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        JsonNode body = Fields.body(call);
        only(body, "FunctionVersion", "Description", "RoutingConfig", "RevisionId");
        Alias current = requireAlias(ref, name);
        Alias.Spec spec = new Alias.Spec(
                body.hasNonNull("FunctionVersion") ? text(body, "FunctionVersion", true) : current.functionVersion(),
                body.hasNonNull("Description") ? text(body, "Description", true) : current.description(),
                body.hasNonNull("RoutingConfig") ? routing(body.get("RoutingConfig")) : current.routing());
        write(call, 200, Shapes.alias(scope,
                scope.registry().updateAlias(ref.name(), name, spec, text(body, "RevisionId", false))));
    }

    void deleteAlias(Call call, String functionName, String name) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        scope.requireFunction(ref.name());
        scope.registry().deleteAlias(ref.name(), name); // Lambda answers 204 for an alias that is not there
        Fields.noContent(call);
    }

    void listAliases(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        String version = call.query("FunctionVersion");
        scope.requireFunction(ref.name());
        List<ObjectNode> all = new ArrayList<>();
        for (Alias alias : scope.registry().aliases(ref.name())) {
            if (version == null || version.equals(alias.functionVersion())
                    || (alias.routing() != null && version.equals(alias.routing().version()))) {
                all.add(Shapes.alias(scope, alias));
            }
        }
        write(call, 200, Fields.page(call, "Aliases", all));
    }

    private Alias requireAlias(FunctionRef ref, String name) {
        scope.requireFunction(ref.name());
        return scope.registry().alias(ref.name(), name).orElseThrow(() -> LambdaError.notFound(
                "Alias not found: " + scope.arn(ref.name(), name)));
    }

    private static Alias.Routing routing(JsonNode config) {
        if (config == null || config.isNull()) {
            return null;
        }
        if (!config.isObject()) {
            throw LambdaError.invalid("RoutingConfig must be an object");
        }
        only(config, "AdditionalVersionWeights");
        JsonNode weights = config.get("AdditionalVersionWeights");
        if (weights == null || weights.isNull() || weights.isEmpty()) {
            return null;
        }
        if (!weights.isObject() || weights.size() != 1) {
            throw LambdaError.invalid("AdditionalVersionWeights names exactly one version and its weight");
        }
        var entry = weights.properties().iterator().next();
        if (!entry.getValue().isNumber()) {
            throw LambdaError.invalid("the weight of version " + entry.getKey() + " must be a number from 0.0 to 1.0");
        }
        double weight = entry.getValue().asDouble();
        if (!(weight >= 0 && weight <= 1)) {
            throw LambdaError.invalid("the weight of version " + entry.getKey() + " must be from 0.0 to 1.0, got " + weight);
        }
        return new Alias.Routing(entry.getKey(), Math.round(weight * Alias.Routing.WHOLE));
    }

    // ---- invoke

    void invoke(Call call, String functionName, String requestId) throws Exception {
        FunctionRef ref = scope.ref(call, functionName);
        String type = call.header("X-Amz-Invocation-Type");
        type = type == null ? "RequestResponse" : type;
        String logType = call.header("X-Amz-Log-Type");
        if (logType != null && !logType.equals("None") && !logType.equals("Tail")) {
            throw LambdaError.invalid("X-Amz-Log-Type must be None or Tail, got " + logType);
        }
        byte[] payload = call.body();
        switch (type) {
            case "DryRun" -> {
                scope.registry().resolve(ref.name(), ref.qualifier());
                Fields.noContent(call);
            }
            case "Event" -> {
                if (payload.length > LambdaApi.EVENT_PAYLOAD_LIMIT) {
                    throw LambdaError.user(413, "RequestTooLargeException", "Request must be smaller than "
                            + LambdaApi.EVENT_PAYLOAD_LIMIT + " bytes for an Event invocation");
                }
                Json.requireJson(payload);
                AsyncInvoker.Accepted accepted = async.submit(new AsyncInvoker.Event(ref.qualifiedName(), payload)
                        .inProject(scope.project()));
                call.response().getHeaders().put("x-amzn-RequestId", accepted.requestId());
                call.response().setStatus(202);
                Content.Sink.write(call.response(), true, ByteBuffer.allocate(0));
            }
            case "RequestResponse" -> {
                Json.requireJson(payload);
                String clientContext = clientContext(call.header("X-Amz-Client-Context"));
                FunctionVersion version = scope.registry().resolve(ref.name(), ref.qualifier());
                boolean tail = "Tail".equals(logType);
                String project = scope.project();
                call.answerLater(invoker.start(dev.cumulus.invoke.Call.to(version)
                        .trigger(dev.cumulus.invoke.Call.Trigger.LAMBDA_API)
                        .requestId(requestId).payload(payload).clientContext(clientContext).build()),
                        (result, response, done) -> {
                            var headers = response.getHeaders();
                            headers.put("X-Amz-Executed-Version", result.version());
                            if (result.failed()) {
                                headers.put("X-Amz-Function-Error", "Unhandled");
                            }
                            if (tail) {
                                headers.put("X-Amz-Log-Result", logTail(logs.forRequest(project, ref.name(), requestId)));
                            }
                            Exchange.write(response, 200, JSON, result.payload(), done);
                        });
            }
            default -> throw LambdaError.invalid("X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got " + type);
        }
    }

    /** Base64 of the last 4 KB of an invocation's log lines, as Lambda's {@code X-Amz-Log-Result}. */
    static String logTail(List<LogLine> lines) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (LogLine line : lines) {
            text.writeBytes((line.line() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] all = text.toByteArray();
        byte[] tail = all.length <= LOG_TAIL_BYTES ? all : Arrays.copyOfRange(all, all.length - LOG_TAIL_BYTES, all.length);
        return Base64.getEncoder().encodeToString(tail);
    }

    private static String clientContext(String header) {
        if (header == null) {
            return null;
        }
        if (header.length() > MAX_CLIENT_CONTEXT_BYTES) {
            throw LambdaError.invalid("X-Amz-Client-Context is limited to " + MAX_CLIENT_CONTEXT_BYTES + " bytes");
        }
        try {
            return new String(Base64.getDecoder().decode(header), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw LambdaError.user(400, "InvalidRequestContentException", "X-Amz-Client-Context must be base64-encoded JSON");
        }
    }

    // ---- tags

    void listTags(Call call, String resource) throws IOException {
        String name = taggedFunction(resource);
        ObjectNode out = Json.MAPPER.createObjectNode();
        ObjectNode tags = out.putObject("Tags");
        scope.store().tags(name).forEach(tags::put);
        write(call, 200, out);
    }

    void tag(Call call, String resource) throws IOException {
        String name = taggedFunction(resource);
        JsonNode body = Fields.body(call);
        only(body, "Tags");
        scope.store().tag(name, tags(body));
        Fields.noContent(call);
    }

    void untag(Call call, String resource) throws IOException {
        String name = taggedFunction(resource);
        List<String> keys = call.queryValues("tagKeys");
        if (keys.isEmpty()) {
            throw LambdaError.invalid("tagKeys is required");
        }
        scope.store().untag(name, keys);
        Fields.noContent(call);
    }

    /** Tags belong to functions: the resource is a function's unqualified ARN. */
    private String taggedFunction(String resource) {
        FunctionRef ref = FunctionRef.parse(resource, null, scope.account());
        if (ref.qualifier() != null) {
            throw LambdaError.invalid("Tags are kept for functions, not versions or aliases: " + resource);
        }
        return scope.requireFunction(ref.name()).name();
    }

    /** Lambda's tag rules: at most 50, keys up to 128 and values up to 256 characters, no aws: keys. */
    private static Map<String, String> tags(JsonNode body) {
        Map<String, String> tags = Fields.strings(body, "Tags");
        if (tags.size() > 50) {
            throw LambdaError.invalid("a function has at most 50 tags");
        }
        for (var tag : tags.entrySet()) {
            if (tag.getKey().isEmpty() || tag.getKey().length() > 128 || tag.getValue().length() > 256
                    || tag.getKey().startsWith("aws:")) {
                throw LambdaError.invalid("tag keys are 1-128 characters and do not start with aws:, values at most"
                        + " 256 characters: " + tag.getKey());
            }
        }
        return tags;
    }

    // ---- account, code signing, event source mappings

    void accountSettings(Call call) throws IOException {
        long codeBytes = 0;
        List<FunctionInfo> functions = scope.registry().list();
        for (FunctionInfo info : functions) {
            codeBytes += info.code().sizeBytes();
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.putObject("AccountLimit")
                .put("TotalCodeSize", 0)
                .put("CodeSizeUnzipped", FunctionRegistry.MAX_UNPACKED_CODE_BYTES)
                .put("CodeSizeZipped", limits.maxCodeBytes())
                .put("ConcurrentExecutions", limits.maxInstances())
                .put("UnreservedConcurrentExecutions", limits.maxInstances());
        out.putObject("AccountUsage").put("TotalCodeSize", codeBytes).put("FunctionCount", functions.size());
        write(call, 200, out);
    }

    /** No function has a code signing config on Cumulus; Lambda answers so with an empty ARN. */
    void codeSigningConfig(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        scope.requireFunction(ref.name());
        write(call, 200, Json.MAPPER.createObjectNode().put("CodeSigningConfigArn", "").put("FunctionName", ref.name()));
    }

    /** Mappings made through the Lambda API: there are none (see {@link #createEventSourceMapping}). */
    void listEventSourceMappings(Call call) throws IOException {
        write(call, 200, Fields.page(call, "EventSourceMappings", List.of()));
    }

    /**
     * Lambda's event sources (SQS, Kinesis, DynamoDB streams, Kafka, Amazon MQ) have no
     * counterpart on a node; Cumulus's own (MQTT, NATS, AMQP) are made with {@code POST /v1/sources}.
     */
    void createEventSourceMapping(Call call) {
        JsonNode body = Fields.body(call);
        throw LambdaError.invalid("Cumulus cannot consume " + (body.hasNonNull("EventSourceArn")
                ? body.get("EventSourceArn").asText() : "this event source") + ": Lambda's event sources (SQS, Kinesis,"
                + " DynamoDB, Kafka, Amazon MQ) have no counterpart on a node; map MQTT, NATS or AMQP sources to a"
                + " function with POST /v1/sources (docs/rest-api.md)");
    }

    void eventSourceMapping(Call call, String uuid) {
        throw LambdaError.notFound("The resource you requested does not exist. (event source mapping " + uuid + ")");
    }

    // ---- helpers

    private static void checkRevision(JsonNode body, String current) {
        String expected = text(body, "RevisionId", false);
        if (expected != null && !expected.equals(current)) {
            throw LambdaError.user(412, "PreconditionFailedException", "The Revision Id provided does not match the latest"
                    + " Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
        }
    }

    private static Map<String, String> environment(JsonNode body, Map<String, String> fallback) {
        JsonNode environment = body.get("Environment");
        if (environment == null || environment.isNull()) {
            return fallback;
        }
        if (!environment.isObject()) {
            throw LambdaError.invalid("Environment must be {\"Variables\": {...}}");
        }
        only(environment, "Variables");
        return Fields.strings(environment, "Variables");
    }
}
