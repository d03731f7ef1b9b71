package dev.cumulus.lambdaapi;

import dev.cumulus.web.Call;
import static dev.cumulus.lambdaapi.Fields.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionInfo;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.scheduler.InstanceCounts;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lambda's reserved and provisioned concurrency on Cumulus's instance limits. Reserved
 * concurrency is the function's {@code maxInstances} (each instance runs one invocation at a
 * time by default). Provisioned concurrency configs are kept per qualifier, as Lambda keeps them;
 * the node keeps the largest of them warm as {@code provisionedConcurrency}, which warms
 * $LATEST instances: Cumulus provisions $LATEST only (ADR 0016).
 */
final class Concurrency {
    private final Scope scope;

    Concurrency(Scope scope) {
        this.scope = scope;
    }

    /** The reserved concurrency GetFunction reports, when PutFunctionConcurrency set one. */
    static Optional<Integer> reserved(Scope scope, FunctionInfo info) {
        return scope.kept(info.name(), FunctionVersion.LATEST).has(KeptSettings.RESERVED)
                ? Optional.of(info.config().maxInstances()) : Optional.empty();
    }

    void putReserved(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        JsonNode body = Fields.body(call);
        Fields.only(body, "ReservedConcurrentExecutions");
        int reserved = Fields.requiredInteger(body, "ReservedConcurrentExecutions");
        FunctionInfo info = scope.requireFunction(ref.name());
        if (reserved < 1) {
            throw LambdaError.invalid("Cumulus cannot reserve " + reserved + " concurrent executions: a function runs"
                    + " at least 1 instance (a function is stopped by deleting it or its triggers)");
        }
        FunctionConfig config = info.config();
        if (reserved < config.provisionedConcurrency()) {
            throw LambdaError.invalid("ReservedConcurrentExecutions (" + reserved + ") must be at least the provisioned"
                    + " concurrency (" + config.provisionedConcurrency() + ")");
        }
        scope.put(call, config.withInstances(reserved, config.provisionedConcurrency()), null);
        ObjectNode kept = scope.kept(ref.name(), FunctionVersion.LATEST);
        kept.put(KeptSettings.RESERVED, true);
        scope.store().putSettings(ref.name(), FunctionVersion.LATEST, kept);
        write(call, 200, Json.MAPPER.createObjectNode().put("ReservedConcurrentExecutions", reserved));
    }

    void getReserved(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        ObjectNode out = Json.MAPPER.createObjectNode();
        reserved(scope, scope.requireFunction(ref.name())).ifPresent(n -> out.put("ReservedConcurrentExecutions", n));
        write(call, 200, out);
    }

    /** Back to the node's default instance limit (or the provisioned concurrency, if that is more). */
    void deleteReserved(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        FunctionInfo info = scope.requireFunction(ref.name());
        ObjectNode kept = scope.kept(ref.name(), FunctionVersion.LATEST);
        if (kept.remove(KeptSettings.RESERVED) != null) {
            FunctionConfig config = info.config();
            scope.put(call, config.withInstances(Math.max(FunctionConfig.DEFAULT_MAX_INSTANCES, config.provisionedConcurrency()),
                    config.provisionedConcurrency()), null);
            scope.store().putSettings(ref.name(), FunctionVersion.LATEST, kept);
        }
        Fields.noContent(call);
    }

    // ---- provisioned

    void putProvisioned(Call call, String functionName) throws IOException {
        FunctionRef ref = provisionedRef(call, functionName);
        JsonNode body = Fields.body(call);
        Fields.only(body, "ProvisionedConcurrentExecutions");
        int requested = Fields.requiredInteger(body, "ProvisionedConcurrentExecutions");
        if (requested < 1) {
            throw LambdaError.invalid("ProvisionedConcurrentExecutions must be at least 1");
        }
        FunctionInfo info = scope.requireFunction(ref.name());
        if (requested > info.config().maxInstances()) {
            throw LambdaError.invalid("ProvisionedConcurrentExecutions (" + requested + ") exceeds the function's"
                    + " concurrency limit (" + info.config().maxInstances() + ")");
        }
        scope.store().putProvisioned(ref.name(), ref.qualifier(), requested);
        apply(call, info);
        write(call, 202, shape(ref, scope.store().provisioned(ref.name()).get(ref.qualifier())));
    }

    void getProvisioned(Call call, String functionName) throws IOException {
        FunctionRef ref = provisionedRef(call, functionName);
        write(call, 200, shape(ref, requireProvisioned(ref)));
    }

    void deleteProvisioned(Call call, String functionName) throws IOException {
        FunctionRef ref = provisionedRef(call, functionName);
        requireProvisioned(ref);
        scope.store().deleteProvisioned(ref.name(), ref.qualifier());
        apply(call, scope.requireFunction(ref.name()));
        Fields.noContent(call);
    }

    void listProvisioned(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        scope.requireFunction(ref.name());
        List<ObjectNode> all = new ArrayList<>();
        for (Map.Entry<String, LambdaStore.Provisioned> config : scope.store().provisioned(ref.name()).entrySet()) {
            all.add(shape(new FunctionRef(ref.name(), config.getKey()), config.getValue()));
        }
        write(call, 200, Fields.page(call, "ProvisionedConcurrencyConfigs", all));
    }

    /** Lambda provisions published versions and aliases only; the qualifier must exist. */
    private FunctionRef provisionedRef(Call call, String functionName) {
        FunctionRef ref = scope.ref(call, functionName);
        if (ref.qualifier() == null || ref.qualifier().equals(FunctionVersion.LATEST)) {
            throw LambdaError.invalid("Provisioned Concurrency Configs cannot be applied to unpublished function versions:"
                    + " give a version or alias as Qualifier");
        }
        scope.requireFunction(ref.name());
        scope.registry().resolve(ref.name(), ref.qualifier());
        return ref;
    }

    private LambdaStore.Provisioned requireProvisioned(FunctionRef ref) {
        LambdaStore.Provisioned config = scope.store().provisioned(ref.name()).get(ref.qualifier());
        if (config == null) {
            throw LambdaError.user(404, "ProvisionedConcurrencyConfigNotFoundException",
                    "No Provisioned Concurrency Config found for this function: " + scope.arn(ref.name(), ref.qualifier()));
        }
        return config;
    }

    /** The node warms the largest requested number of instances. */
    private void apply(Call call, FunctionInfo info) {
        int wanted = scope.store().provisioned(info.name()).values().stream()
                .mapToInt(LambdaStore.Provisioned::requested).max().orElse(0);
        FunctionConfig config = info.config();
        if (wanted != config.provisionedConcurrency()) {
            scope.put(call, config.withInstances(config.maxInstances(), wanted), null);
        }
    }

    /** READY once the node runs as many instances of the function as were requested. */
    private ObjectNode shape(FunctionRef ref, LambdaStore.Provisioned config) {
        InstanceCounts counts = scope.scheduler().counts(ref.name());
        int available = Math.min(config.requested(), counts.idle() + counts.busy());
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("FunctionArn", scope.arn(ref.name(), ref.qualifier()));
        out.put("RequestedProvisionedConcurrentExecutions", config.requested());
        out.put("AvailableProvisionedConcurrentExecutions", available);
        out.put("AllocatedProvisionedConcurrentExecutions", available);
        out.put("Status", available >= config.requested() ? "READY" : "IN_PROGRESS");
        out.put("LastModified", config.updatedAt().toString());
        return out;
    }
}
