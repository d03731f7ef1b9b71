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
import dev.cumulus.errors.ApiException;
import dev.cumulus.iam.Crn;
import dev.cumulus.iam.Guard;
import dev.cumulus.iam.Quotas;
import dev.cumulus.sandbox.Egress;
import dev.cumulus.scheduler.Scheduler;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;

/**
 * The one place functions are deployed, published and deleted, for every API that changes them
 * (the REST API and the Lambda API): each parses its own request shape and then calls here, so a
 * deploy always checks its async settings, retires the instances of the old {@code $LATEST} and
 * provisions the new one, and a delete always minds what depends on the function. Reads go to
 * the registry directly.
 */
public final class Functions {
    /** The IAM action that lets a principal give a function network egress (ADR 0038). */
    public static final String GRANT_EGRESS = "functions:GrantEgress";

    private final FunctionRegistry registry;
    private final Scheduler scheduler;
    private final AsyncDelivery async;
    private final FunctionDeletion deletion;
    private final CodeSigning codeSigning;
    private final Guard guard;
    private final BiPredicate<String, String> roleExists;
    private final String egressProblem;
    private final Quotas quotas;

    private Functions(Builder b) {
        this.registry = Objects.requireNonNull(b.registry, "registry");
        this.scheduler = Objects.requireNonNull(b.scheduler, "scheduler");
        this.async = Objects.requireNonNull(b.async, "async");
        this.codeSigning = Objects.requireNonNull(b.codeSigning, "codeSigning");
        this.guard = Objects.requireNonNull(b.guard, "guard");
        this.roleExists = Objects.requireNonNull(b.roleExists, "roleExists");
        this.egressProblem = b.egressProblem;
        this.quotas = Objects.requireNonNull(b.quotas, "quotas");
        BiConsumer<String, String> dropped = b.dropped;
        this.deletion = new FunctionDeletion(registry, b.dependents, new FunctionDeletion.Aftermath() {
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

    public static Builder builder() {
        return new Builder();
    }

    /** Who asks for a change, and what the guard's conditions see of the request. */
    public record Caller(Principal who, Guard.Facts facts) {}

    /** A deploy's outcome: the new {@code $LATEST} and whether the function is new. */
    public record Deployed(FunctionInfo info, boolean created) {}

    /**
     * Creates or updates {@code $LATEST} of a function of {@code project}: checks the role, the
     * async destinations and egress, stores config and code (the registry validates both, and the
     * grant rules for the caller's {@link Authority}), retires the old {@code $LATEST}'s
     * instances and provisions the new one.
     *
     * @param codeSha256 stored code; null keeps the current code on an update
     * @param codeSignature the detached signature of new code, or null: a project whose
     *     code-signing policy requires one refuses new code without it (ADR 0025)
     */
    public Deployed deploy(String project, FunctionConfig config, String codeSha256, String codeSignature,
            Caller caller) {
        FunctionRegistry registry = this.registry.project(project);
        if (codeSha256 != null) {
            codeSigning.check(project, codeSha256, codeSignature);
        }
        Optional<FunctionInfo> current = registry.get(config.name());
        if (FunctionConfig.isRoleName(config.role()) && !roleExists.test(project, config.role())) {
            throw ApiException.badRequest("InvalidRole", "role " + config.role() + " does not exist in project "
                    + project + "; create it first (cumulus roles create)");
        }
        if (!config.egress().equals(Egress.NONE) && egressProblem != null) {
            throw new ApiException(409, "EgressUnavailable", "this node cannot give functions network egress: "
                    + egressProblem);
        }
        checkQuotas(registry, project, config.name(), codeSha256, current);
        Authority authority = authority(project, config, codeSha256, current, caller);
        async.checkSettings(project, config);
        FunctionInfo info = registry.put(config, codeSha256, authority);
        scheduler.retireStaleLatest(project, info.name(), info.revision());
        scheduler.provision(registry.resolve(info.name(), null));
        return new Deployed(info, current.isEmpty());
    }

    /**
     * The project's function count and code bytes (the distinct packages its functions' {@code
     * $LATEST} use), before this deploy adds to them: 403 QuotaExceeded past a limit.
     */
    private void checkQuotas(FunctionRegistry registry, String project, String name, String codeSha256,
            Optional<FunctionInfo> current) {
        List<FunctionInfo> all = registry.list();
        if (current.isEmpty()) {
            quotas.checkFunctions(project, all.size());
        }
        if (codeSha256 == null || current.map(f -> codeSha256.equals(f.code().sha256())).orElse(false)) {
            return;
        }
        java.util.Map<String, Long> stored = new java.util.HashMap<>();
        for (FunctionInfo f : all) {
            if (!f.name().equals(name)) {
                stored.put(f.code().sha256(), f.code().sizeBytes());
            }
        }
        if (stored.containsKey(codeSha256)) {
            return;
        }
        long adding;
        try {
            adding = java.nio.file.Files.size(registry.codePackage(new dev.cumulus.registry.CodeRef(codeSha256, 0)));
        } catch (java.io.IOException e) {
            return; // no such package: the registry answers that with its own 400
        }
        quotas.checkCodeBytes(project, stored.values().stream().mapToLong(Long::longValue).sum(), adding);
    }

    /**
     * What the registry's grant rules (ADR 0022, 0024) let the caller do: only the root principal
     * grants host mounts; egress is granted by whoever IAM allows {@value #GRANT_EGRESS} on the
     * function, asked only when this deploy grants, changes or puts new code behind egress (a
     * denial is audited by the guard and answered 403).
     */
    private Authority authority(String project, FunctionConfig config, String codeSha256,
            Optional<FunctionInfo> current, Caller caller) {
        if (caller.who() != null && caller.who().isRoot()) {
            return Authority.ROOT_TOKEN;
        }
        Egress before = current.map(f -> f.config().egress()).orElse(Egress.NONE);
        boolean newCode = codeSha256 != null && current.map(f -> !codeSha256.equals(f.code().sha256())).orElse(true);
        boolean touchesEgress = !config.egress().equals(before) || !before.equals(Egress.NONE) && newCode;
        if (!touchesEgress) {
            return Authority.ACCESS_KEY;
        }
        guard.authorize(caller.who(), GRANT_EGRESS, Crn.of("functions", project, config.name()), caller.facts());
        return Authority.EGRESS_GRANTED;
    }

    /** Publishes {@code $LATEST} of a function of {@code project} as its next version. */
    public FunctionVersion publish(String project, String name) {
        return registry.project(project).publish(name);
    }

    /**
     * Deletes a function with its versions and aliases (docs/adr/0017).
     *
     * @param cascade also remove what names it; without it, any dependent refuses (409 FunctionInUse)
     */
    public void delete(String project, String name, boolean cascade) {
        deletion.delete(project, name, cascade);
    }

    /** Deletes one published version; false when it does not exist. */
    public boolean deleteVersion(String project, String name, String version) {
        return registry.project(project).deleteVersion(name, version);
    }

    /** Declares what the functions service works with; {@link #build} checks each is there. */
    public static final class Builder {
        private FunctionRegistry registry;
        private Scheduler scheduler;
        private AsyncDelivery async;
        private List<FunctionDependents> dependents = List.of();
        private BiConsumer<String, String> dropped = (project, function) -> {};
        private CodeSigning codeSigning;
        private Guard guard;
        private BiPredicate<String, String> roleExists;
        private String egressProblem;
        private Quotas quotas;

        private Builder() {}

        /** The projects' function and code-bytes quotas, checked before a deploy adds to them. */
        public Builder quotas(Quotas quotas) {
            this.quotas = quotas;
            return this;
        }

        public Builder registry(FunctionRegistry registry) {
            this.registry = registry;
            return this;
        }

        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        public Builder async(AsyncDelivery async) {
            this.async = async;
            return this;
        }

        /** Every capability that names functions (routes, schedules, topics, sources): a delete minds them. */
        public Builder dependents(List<FunctionDependents> dependents) {
            this.dependents = List.copyOf(dependents);
            return this;
        }

        /** What else forgets a deleted function of a project (its logs). */
        public Builder dropped(BiConsumer<String, String> dropped) {
            this.dropped = dropped;
            return this;
        }

        public Builder codeSigning(CodeSigning codeSigning) {
            this.codeSigning = codeSigning;
            return this;
        }

        /** Asked for {@value Functions#GRANT_EGRESS} when a deploy grants egress. */
        public Builder guard(Guard guard) {
            this.guard = guard;
            return this;
        }

        /** Whether a role of that name exists in that project: a function's role must. */
        public Builder roleExists(BiPredicate<String, String> roleExists) {
            this.roleExists = roleExists;
            return this;
        }

        /** Why this node's sandbox cannot give egress, or null when it can ({@code Sandbox.egressProblem}). */
        public Builder egressProblem(String egressProblem) {
            this.egressProblem = egressProblem;
            return this;
        }

        public Functions build() {
            return new Functions(this);
        }
    }
}
