package dev.cumulus.functions;

import dev.cumulus.codesigning.CodeSigning;
import dev.cumulus.async.AsyncDelivery;
import dev.cumulus.iam.Principal;
import dev.cumulus.registry.Authority;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionDependents;
import dev.cumulus.registry.FunctionInfo;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.scheduler.Scheduler;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one place functions are deployed, published and deleted, for every API that changes them
 * (the REST API and the Lambda API): each parses its own request shape and then calls here, so a
 * deploy always checks its async settings, retires the instances of the old {@code $LATEST} and
 * provisions the new one, and a delete always minds what depends on the function. Reads go to
 * the registry directly.
 */
public final class Functions {
    private final FunctionRegistry registry;
    private final Scheduler scheduler;
    private final AsyncDelivery async;
    private final FunctionDeletion deletion;
    private final CodeSigning codeSigning;

    /**
     * @param dependents every capability that names functions (routes, schedules, topics,
     *     sources): a delete lists or removes what they hold
     * @param dropped what else forgets a deleted function (its logs)
     */
    public Functions(FunctionRegistry registry, Scheduler scheduler, AsyncDelivery async,
            List<FunctionDependents> dependents, java.util.function.BiConsumer<String, String> dropped,
            CodeSigning codeSigning) {
        this.registry = registry;
        this.codeSigning = codeSigning;
        this.scheduler = scheduler;
        this.async = async;
        this.deletion = new FunctionDeletion(registry, dependents, new FunctionDeletion.Aftermath() {
            @Override
            public void deleted(String project, String function) {
                scheduler.retireAll(project, function);
                dropped.accept(project, function);
            }

            @Override
            public void updated(FunctionInfo info) {
                scheduler.retireStaleLatest(info.project(), info.name(), info.revision());
            }
        });
    }

    /** A deploy's outcome: the new {@code $LATEST} and whether the function is new. */
    public record Deployed(FunctionInfo info, boolean created) {}

    /**
     * What the registry's mount rules (ADR 0022) let {@code who} do: only the root principal
     * grants host mounts; any other principal acts with an access key's authority, which
     * neither grants mounts nor changes what runs beside granted ones.
     */
    public static Authority authorityOf(Principal who) {
        return who != null && who.isRoot() ? Authority.ROOT_TOKEN : Authority.ACCESS_KEY;
    }

    /**
     * Creates or updates {@code $LATEST}: checks the async destinations, stores config and code
     * (the registry validates both, and the mount rules for {@code authority}), retires the old
     * {@code $LATEST}'s instances and provisions the new one.
     *
     * @param codeSha256 stored code; null keeps the current code on an update
     */
    /**
     * @param codeSignature the detached signature of new code, or null: a project whose
     *     code-signing policy requires one refuses new code without it (ADR 0025)
     */
    public Deployed deploy(FunctionConfig config, String codeSha256, String codeSignature, Authority authority) {
        if (codeSha256 != null) {
            codeSigning.check(registry.project(), codeSha256, codeSignature);
        }
        boolean created = registry.get(config.name()).isEmpty();
        async.checkSettings(config);
        FunctionInfo info = registry.put(config, codeSha256, authority);
        scheduler.retireStaleLatest(info.name(), info.revision());
        scheduler.provision(registry.resolve(info.name(), null));
        return new Deployed(info, created);
    }

    /** Publishes {@code $LATEST} as the next version. */
    public FunctionVersion publish(String name) {
        return registry.publish(name);
    }

    /**
     * Deletes a function with its versions and aliases (docs/adr/0017).
     *
     * @param cascade also remove what names it; without it, any dependent refuses (409 FunctionInUse)
     */
    public void delete(String name, boolean cascade) {
        deletion.delete(name, cascade);
    }

    /** Deletes one published version; false when it does not exist. */
    public boolean deleteVersion(String name, String version) {
        return registry.deleteVersion(name, version);
    }
}
