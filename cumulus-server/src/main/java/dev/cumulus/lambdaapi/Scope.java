package dev.cumulus.lambdaapi;

import dev.cumulus.web.Call;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.functions.Functions;
import dev.cumulus.registry.Authority;
import dev.cumulus.registry.FunctionArns;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionInfo;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.scheduler.Scheduler;
import dev.cumulus.web.Json;

/**
 * Where the Lambda API's operations act: the node's region, the project (its account id in
 * ARNs), the registry, the Lambda API's own store and the scheduler; with the lookups and the
 * FunctionConfiguration documents every group of operations needs.
 */
record Scope(String region, String project, FunctionRegistry registry, LambdaStore store, Scheduler scheduler,
        Functions functions) {

    String account() {
        return FunctionArns.account(project);
    }

    String arn(String name, String qualifier) {
        return FunctionArns.function(region, project, name, qualifier);
    }

    /** A {@code FunctionName} path parameter, with the call's {@code Qualifier} query parameter. */
    FunctionRef ref(Call call, String functionName) {
        return FunctionRef.parse(functionName, call.query("Qualifier"), account());
    }

    FunctionInfo requireFunction(String name) {
        return registry.get(name).orElseThrow(() -> functionNotFound(name));
    }

    dev.cumulus.errors.ApiException functionNotFound(String name) {
        return LambdaError.notFound("Function not found: " + arn(name, null));
    }

    /** The kept settings of a version ($LATEST or a number); empty when none were given. */
    ObjectNode kept(String name, String version) {
        return store.settings(name, version).map(LambdaStore.Settings::fields).orElseGet(Json.MAPPER::createObjectNode);
    }

    /**
     * $LATEST's RevisionId: the registry's revision and the kept settings' one, so a change to
     * either is a new revision for the RevisionId guards.
     */
    String revisionId(FunctionInfo info) {
        return store.settings(info.name(), FunctionVersion.LATEST)
                .map(s -> info.revision() + "-" + s.revision()).orElse(info.revision());
    }

    ObjectNode latestConfiguration(FunctionInfo info) {
        return Shapes.configuration(this, info.latest(), info.updatedAt(), kept(info.name(), FunctionVersion.LATEST),
                revisionId(info));
    }

    ObjectNode versionConfiguration(FunctionVersion version) {
        if (version.version().equals(FunctionVersion.LATEST)) {
            return latestConfiguration(requireFunction(version.functionName()));
        }
        return Shapes.configuration(this, version, version.createdAt(), kept(version.functionName(), version.version()),
                version.revision());
    }

    /**
     * Deploys a new $LATEST configuration through the functions service, as the edge does. With
     * the caller's authority: an access key grants no mounts (see {@link Authority}).
     */
    FunctionInfo put(Call call, FunctionConfig config, String codeSha256) {
        return functions.deploy(project, config, codeSha256, null, new Functions.Caller(call.principal(), call.facts())).info();
    }
}
