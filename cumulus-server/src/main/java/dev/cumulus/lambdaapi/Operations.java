package dev.cumulus.lambdaapi;

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
import dev.cumulus.registry.FunctionDeletion;
import dev.cumulus.registry.FunctionInfo;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.scheduler.InvocationRequest;
import dev.cumulus.scheduler.Scheduler;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.io.Content;

/** Lambda's operations on the registry and the invokers; {@link LambdaMount} does HTTP and auth. */
final class Operations {
    private static final String JSON = "application/json";
    /** Lambda returns the last 4 KB of an invocation's log with {@code X-Amz-Log-Type: Tail}. */
    static final int LOG_TAIL_BYTES = 4096;
    private static final int MAX_CLIENT_CONTEXT_BYTES = 3583;

    private final FunctionRegistry registry;
    private final Scheduler scheduler;
    private final Invoker invoker;
    private final AsyncInvoker async;
    private final LogStore logs;
    private final long maxCodeBytes;
    private final FunctionDeletion deletion;

    Operations(FunctionRegistry registry, Scheduler scheduler, Invoker invoker, AsyncInvoker async, LogStore logs,
            long maxCodeBytes, FunctionDeletion deletion) {
        this.deletion = deletion;
        this.registry = registry;
        this.scheduler = scheduler;
        this.invoker = invoker;
        this.async = async;
        this.logs = logs;
        this.maxCodeBytes = maxCodeBytes;
    }

    void dispatch(LambdaMount.Call call, String requestId) throws Exception {
        List<String> p = call.path();
        String m = call.method();
        if (p.isEmpty() || !p.getFirst().equals("functions")) {
            throw unknown(call);
        }
        if (p.size() == 1) {
            switch (m) {
                case "GET" -> listFunctions(call);
                case "POST" -> createFunction(call);
                default -> throw unknown(call);
            }
            return;
        }
        String function = p.get(1);
        String sub = p.size() > 2 ? p.get(2) : null;
        switch (p.size() + ":" + m + ":" + (sub == null ? "" : sub)) {
            case "2:GET:" -> getFunction(call, ref(call, function));
            case "2:DELETE:" -> deleteFunction(call, ref(call, function));
            case "3:GET:configuration" -> write(call, 200, describe(call, ref(call, function)));
            case "3:PUT:configuration" -> updateConfiguration(call, ref(call, function).unqualified());
            case "3:PUT:code" -> updateCode(call, ref(call, function).unqualified());
            case "3:GET:versions" -> listVersions(call, ref(call, function).unqualified());
            case "3:POST:versions" -> publishVersion(call, ref(call, function).unqualified());
            case "3:GET:aliases" -> listAliases(call, ref(call, function).unqualified());
            case "3:POST:aliases" -> createAlias(call, ref(call, function).unqualified());
            case "3:POST:invocations" -> invoke(call, ref(call, function), requestId);
            case "4:GET:aliases" -> write(call, 200, Shapes.alias(call.region(), requireAlias(call, ref(call, function).unqualified(), p.get(3))));
            case "4:PUT:aliases" -> updateAlias(call, ref(call, function).unqualified(), p.get(3));
            case "4:DELETE:aliases" -> deleteAlias(call, ref(call, function).unqualified(), p.get(3));
            default -> throw unknown(call);
        }
    }

    private static LambdaError unknown(LambdaMount.Call call) {
        return LambdaError.user(404, "UnknownOperationException", "Cumulus does not serve " + call.method() + " "
                + LambdaMount.PREFIX + String.join("/", call.path()) + " (docs/lambda-compatibility.md lists what it does)");
    }

    private static FunctionRef ref(LambdaMount.Call call, String functionName) {
        return FunctionRef.parse(functionName, call.query("Qualifier"));
    }

    // ---- functions

    private void createFunction(LambdaMount.Call call) throws IOException {
        JsonNode body = Json.parseObject(call.body());
        only(body, "FunctionName", "Runtime", "Role", "Handler", "Code", "Description", "Timeout", "MemorySize",
                "Publish", "Environment", "PackageType", "Architectures");
        FunctionRef ref = FunctionRef.parse(text(body, "FunctionName", true), null).unqualified();
        if (registry.get(ref.name()).isPresent()) {
            throw LambdaError.user(409, "ResourceConflictException", "Function already exist: " + ref.name());
        }
        String packageType = text(body, "PackageType", false);
        if (packageType != null && !packageType.equals("Zip")) {
            throw LambdaError.invalid("Cumulus runs Zip packages only, not PackageType " + packageType);
        }
        checkUnstored(body);
        String handler = text(body, "Handler", true);
        FunctionConfig defaults = FunctionConfig.defaults(ref.name(), handler);
        FunctionConfig config = new FunctionConfig(ref.name(), Runtimes.toCumulus(text(body, "Runtime", true)), handler,
                integer(body, "MemorySize", defaults.memoryMb()), integer(body, "Timeout", defaults.timeoutSeconds()),
                environment(body, Map.of()), defaults.maxInstances(), defaults.concurrency(), null, false, 0);
        JsonNode code = body.get("Code");
        if (code == null || !code.isObject()) {
            throw LambdaError.invalid("Code is required: {\"ZipFile\": base64 of the zip}");
        }
        only(code, "ZipFile");
        CodeRef stored = storeZip(text(code, "ZipFile", true));
        FunctionInfo info = registry.put(config, stored.sha256());
        write(call, 201, bool(body, "Publish")
                ? Shapes.configuration(call.region(), registry.publish(ref.name()), info.updatedAt())
                : latest(call, info));
    }

    private void getFunction(LambdaMount.Call call, FunctionRef ref) throws IOException {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("Configuration", describe(call, ref));
        write(call, 200, out);
    }

    /** The configuration a reference names; an alias shows the version it points at. */
    private ObjectNode describe(LambdaMount.Call call, FunctionRef ref) {
        String qualifier = ref.qualifier();
        if (qualifier == null || qualifier.equals(FunctionVersion.LATEST)) {
            return latest(call, requireFunction(call, ref.name()));
        }
        if (!qualifier.chars().allMatch(Character::isDigit)) {
            qualifier = requireAlias(call, new FunctionRef(ref.name(), null), qualifier).functionVersion();
            if (qualifier.equals(FunctionVersion.LATEST)) {
                return latest(call, requireFunction(call, ref.name()));
            }
        }
        FunctionVersion version = registry.resolve(ref.name(), qualifier);
        return Shapes.configuration(call.region(), version, version.createdAt());
    }

    private ObjectNode latest(LambdaMount.Call call, FunctionInfo info) {
        return Shapes.configuration(call.region(), new FunctionVersion(FunctionVersion.LATEST, info.revision(),
                info.config(), info.code(), info.updatedAt()), info.updatedAt());
    }

    private void listFunctions(LambdaMount.Call call) throws IOException {
        List<JsonNode> all = new ArrayList<>();
        for (FunctionInfo info : registry.list()) {
            all.add(latest(call, info));
        }
        write(call, 200, page(call, "Functions", all));
    }

    private void deleteFunction(LambdaMount.Call call, FunctionRef ref) throws IOException {
        if (ref.qualifier() != null && !ref.qualifier().equals(FunctionVersion.LATEST)) {
            throw LambdaError.invalid("Cumulus deletes whole functions only; drop the qualifier '" + ref.qualifier() + "'");
        }
        if (registry.get(ref.name()).isEmpty()) {
            throw functionNotFound(call, ref.name());
        }
        // unlike Lambda, refuses (409 ResourceConflictException) while routes, schedules,
        // subscriptions or mappings name the function: docs/adr/0016
        deletion.delete(ref.name(), false);
        noContent(call);
    }

    private void updateConfiguration(LambdaMount.Call call, FunctionRef ref) throws IOException {
        JsonNode body = Json.parseObject(call.body());
        only(body, "Role", "Handler", "Description", "Timeout", "MemorySize", "Environment", "Runtime", "RevisionId");
        FunctionInfo info = requireFunction(call, ref.name());
        checkRevision(body, info.revision());
        checkUnstored(body);
        FunctionConfig c = info.config();
        String runtime = body.hasNonNull("Runtime") ? Runtimes.toCumulus(text(body, "Runtime", true)) : c.runtime();
        String handler = body.hasNonNull("Handler") ? text(body, "Handler", true) : c.handler();
        FunctionConfig changed = new FunctionConfig(c.name(), runtime, handler, integer(body, "MemorySize", c.memoryMb()),
                integer(body, "Timeout", c.timeoutSeconds()), environment(body, c.environment()), c.maxInstances(),
                c.concurrency(), c.keepAliveSeconds(), c.publicUrl(), c.provisionedConcurrency(), c.mounts(), c.async());
        write(call, 200, latest(call, applied(registry.put(changed, null))));
    }

    private void updateCode(LambdaMount.Call call, FunctionRef ref) throws IOException {
        JsonNode body = Json.parseObject(call.body());
        only(body, "ZipFile", "Publish", "DryRun", "RevisionId", "Architectures", "S3Bucket", "S3Key",
                "S3ObjectVersion", "ImageUri");
        for (String field : List.of("S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri")) {
            if (body.hasNonNull(field)) {
                throw LambdaError.invalid(field + " is not supported by Cumulus: send the zip as ZipFile");
            }
        }
        checkArchitectures(body);
        FunctionInfo info = requireFunction(call, ref.name());
        checkRevision(body, info.revision());
        CodeRef stored = storeZip(text(body, "ZipFile", true));
        if (bool(body, "DryRun")) {
            write(call, 200, Shapes.configuration(call.region(), new FunctionVersion(FunctionVersion.LATEST,
                    info.revision(), info.config(), stored, info.updatedAt()), info.updatedAt()));
            return;
        }
        FunctionInfo updated = applied(registry.put(info.config(), stored.sha256()));
        write(call, 200, bool(body, "Publish")
                ? Shapes.configuration(call.region(), registry.publish(ref.name()), updated.updatedAt())
                : latest(call, updated));
    }

    /** What the edge does after a put: instances of the old $LATEST go, provisioned ones come. */
    private FunctionInfo applied(FunctionInfo info) {
        scheduler.retireStaleLatest(info.name(), info.revision());
        scheduler.provision(registry.resolve(info.name(), null));
        return info;
    }

    private CodeRef storeZip(String base64) {
        byte[] zip;
        try {
            zip = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw LambdaError.invalid("ZipFile must be base64: " + e.getMessage());
        }
        return registry.storeCode(new ByteArrayInputStream(zip), maxCodeBytes);
    }

    // ---- versions

    private void publishVersion(LambdaMount.Call call, FunctionRef ref) throws IOException {
        JsonNode body = call.body().length == 0 ? Json.MAPPER.createObjectNode() : Json.parseObject(call.body());
        only(body, "CodeSha256", "Description", "RevisionId");
        FunctionInfo info = requireFunction(call, ref.name());
        checkRevision(body, info.revision());
        checkUnstored(body);
        String expectedCode = text(body, "CodeSha256", false);
        if (expectedCode != null && !expectedCode.equals(Shapes.codeSha256(info.code()))) {
            throw LambdaError.invalid("CodeSHA256 (" + expectedCode + ") is different from current CodeSHA256 in $LATEST ("
                    + Shapes.codeSha256(info.code()) + "). Please try again with the CodeSHA256 in $LATEST.");
        }
        FunctionVersion version = registry.publish(ref.name());
        write(call, 201, Shapes.configuration(call.region(), version, version.createdAt()));
    }

    private void listVersions(LambdaMount.Call call, FunctionRef ref) throws IOException {
        List<JsonNode> all = new ArrayList<>();
        all.add(latest(call, requireFunction(call, ref.name())));
        for (FunctionVersion version : registry.versions(ref.name())) {
            all.add(Shapes.configuration(call.region(), version, version.createdAt()));
        }
        write(call, 200, page(call, "Versions", all));
    }

    // ---- aliases

    private void createAlias(LambdaMount.Call call, FunctionRef ref) throws IOException {
        JsonNode body = Json.parseObject(call.body());
        only(body, "Name", "FunctionVersion", "Description", "RoutingConfig");
        requireFunction(call, ref.name());
        Alias.Spec spec = new Alias.Spec(text(body, "FunctionVersion", true), text(body, "Description", false),
                routing(body.get("RoutingConfig")));
        write(call, 201, Shapes.alias(call.region(), registry.createAlias(ref.name(), text(body, "Name", true), spec)));
    }

    private void updateAlias(LambdaMount.Call call, FunctionRef ref, String name) throws IOException {
        JsonNode body = Json.parseObject(call.body());
        only(body, "FunctionVersion", "Description", "RoutingConfig", "RevisionId");
        Alias current = requireAlias(call, ref, name);
        Alias.Spec spec = new Alias.Spec(
                body.hasNonNull("FunctionVersion") ? text(body, "FunctionVersion", true) : current.functionVersion(),
                body.hasNonNull("Description") ? text(body, "Description", true) : current.description(),
                body.hasNonNull("RoutingConfig") ? routing(body.get("RoutingConfig")) : current.routing());
        write(call, 200, Shapes.alias(call.region(),
                registry.updateAlias(ref.name(), name, spec, text(body, "RevisionId", false))));
    }

    private void deleteAlias(LambdaMount.Call call, FunctionRef ref, String name) throws IOException {
        requireFunction(call, ref.name());
        registry.deleteAlias(ref.name(), name); // Lambda answers 204 for an alias that is not there
        noContent(call);
    }

    private void listAliases(LambdaMount.Call call, FunctionRef ref) throws IOException {
        String version = call.query("FunctionVersion");
        List<JsonNode> all = new ArrayList<>();
        for (Alias alias : registry.aliases(ref.name())) {
            if (version == null || version.equals(alias.functionVersion())
                    || (alias.routing() != null && version.equals(alias.routing().version()))) {
                all.add(Shapes.alias(call.region(), alias));
            }
        }
        write(call, 200, page(call, "Aliases", all));
    }

    private Alias requireAlias(LambdaMount.Call call, FunctionRef ref, String name) {
        requireFunction(call, ref.name());
        return registry.alias(ref.name(), name).orElseThrow(() -> LambdaError.notFound(
                "Alias not found: " + FunctionRef.arn(call.region(), ref.name(), name)));
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

    private void invoke(LambdaMount.Call call, FunctionRef ref, String requestId) throws Exception {
        String type = call.header("X-Amz-Invocation-Type");
        type = type == null ? "RequestResponse" : type;
        String logType = call.header("X-Amz-Log-Type");
        if (logType != null && !logType.equals("None") && !logType.equals("Tail")) {
            throw LambdaError.invalid("X-Amz-Log-Type must be None or Tail, got " + logType);
        }
        byte[] payload = call.body();
        switch (type) {
            case "DryRun" -> {
                registry.resolve(ref.name(), ref.qualifier());
                noContent(call);
            }
            case "Event" -> {
                if (payload.length > LambdaMount.EVENT_PAYLOAD_LIMIT) {
                    throw LambdaError.user(413, "RequestTooLargeException", "Request must be smaller than "
                            + LambdaMount.EVENT_PAYLOAD_LIMIT + " bytes for an Event invocation");
                }
                Json.requireJson(payload);
                AsyncInvoker.Accepted accepted = async.submit(new AsyncInvoker.Event(ref.qualifiedName(), payload));
                call.response().getHeaders().put("x-amzn-RequestId", accepted.requestId());
                call.response().setStatus(202);
                Content.Sink.write(call.response(), true, ByteBuffer.allocate(0));
            }
            case "RequestResponse" -> {
                Json.requireJson(payload);
                String clientContext = clientContext(call.header("X-Amz-Client-Context"));
                FunctionVersion version = registry.resolve(ref.name(), ref.qualifier());
                Invocation result = invoker.invoke(version,
                        new InvocationRequest(requestId, Invoker.traceId(), payload, clientContext, null, null));
                var headers = call.response().getHeaders();
                headers.put("X-Amz-Executed-Version", result.version());
                if (result.failed()) {
                    headers.put("X-Amz-Function-Error", "Unhandled");
                }
                if ("Tail".equals(logType)) {
                    headers.put("X-Amz-Log-Result", logTail(logs.forRequest(ref.name(), requestId)));
                }
                Exchange.write(call.response(), 200, JSON, result.payload());
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

    // ---- helpers

    private FunctionInfo requireFunction(LambdaMount.Call call, String name) {
        return registry.get(name).orElseThrow(() -> functionNotFound(call, name));
    }

    private static LambdaError functionNotFound(LambdaMount.Call call, String name) {
        return LambdaError.notFound("Function not found: " + FunctionRef.arn(call.region(), name, null));
    }

    private static void checkRevision(JsonNode body, String current) {
        String expected = text(body, "RevisionId", false);
        if (expected != null && !expected.equals(current)) {
            throw LambdaError.user(412, "PreconditionFailedException", "The Revision Id provided does not match the latest"
                    + " Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
        }
    }

    /**
     * Settings Cumulus has nowhere to keep yet. Role is accepted whatever it is (no IAM); a
     * description is refused rather than silently lost.
     */
    private static void checkUnstored(JsonNode body) {
        String description = text(body, "Description", false);
        if (description != null && !description.isEmpty()) {
            throw LambdaError.invalid("Cumulus does not store function descriptions yet; leave Description out");
        }
        text(body, "Role", false);
        checkArchitectures(body);
    }

    private static void checkArchitectures(JsonNode body) {
        JsonNode architectures = body.get("Architectures");
        if (architectures == null || architectures.isNull()) {
            return;
        }
        if (!architectures.isArray() || architectures.size() != 1 || !architectures.get(0).asText().equals(Shapes.architecture())) {
            throw LambdaError.invalid("this node runs functions on " + Shapes.architecture() + " only; Architectures must be [\""
                    + Shapes.architecture() + "\"]");
        }
    }

    /** Refuses any field but {@code allowed} that sets something: Cumulus would not keep it. */
    private static void only(JsonNode body, String... allowed) {
        Set<String> known = Set.of(allowed);
        for (var field : body.properties()) {
            JsonNode value = field.getValue();
            // an empty list or map sets nothing (tools send "Tags": {} or "Layers": [] by default)
            boolean empty = value.isNull() || (value.isContainerNode() && value.isEmpty());
            if (!known.contains(field.getKey()) && !empty) {
                throw LambdaError.invalid(field.getKey() + " is not supported by Cumulus (docs/lambda-compatibility.md)");
            }
        }
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw LambdaError.invalid(field + " is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw LambdaError.invalid(field + " must be a string");
        }
        return node.asText();
    }

    private static int integer(JsonNode body, String field, int fallback) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw LambdaError.invalid(field + " must be a whole number");
        }
        return node.asInt();
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw LambdaError.invalid(field + " must be true or false");
        }
        return node.asBoolean();
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
        JsonNode variables = environment.get("Variables");
        Map<String, String> out = new LinkedHashMap<>();
        if (variables == null || variables.isNull()) {
            return out;
        }
        if (!variables.isObject()) {
            throw LambdaError.invalid("Environment.Variables must be an object of strings");
        }
        for (var entry : variables.properties()) {
            if (!entry.getValue().isTextual()) {
                throw LambdaError.invalid("Environment.Variables." + entry.getKey() + " must be a string");
            }
            out.put(entry.getKey(), entry.getValue().asText());
        }
        return out;
    }

    /** Lambda's pagination: {@code Marker} (here an offset) and {@code MaxItems} (1..10000, 50 by default). */
    private static ObjectNode page(LambdaMount.Call call, String field, List<JsonNode> all) {
        int from = 0;
        int max = 50;
        try {
            if (call.query("Marker") != null) {
                from = Integer.parseInt(call.query("Marker"));
            }
            if (call.query("MaxItems") != null) {
                max = Integer.parseInt(call.query("MaxItems"));
            }
        } catch (NumberFormatException e) {
            throw LambdaError.invalid("Marker and MaxItems must be numbers");
        }
        if (from < 0 || from > all.size() || max < 1 || max > 10_000) {
            throw LambdaError.invalid("Marker must come from a previous page and MaxItems be from 1 to 10000");
        }
        int to = Math.min(all.size(), from + max);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.putArray(field).addAll(all.subList(from, to));
        if (to < all.size()) {
            out.put("NextMarker", Integer.toString(to));
        }
        return out;
    }

    private static void write(LambdaMount.Call call, int status, JsonNode body) throws IOException {
        Exchange.write(call.response(), status, JSON, Json.write(body));
    }

    private static void noContent(LambdaMount.Call call) throws IOException {
        call.response().setStatus(204);
        Content.Sink.write(call.response(), true, ByteBuffer.allocate(0));
    }
}
