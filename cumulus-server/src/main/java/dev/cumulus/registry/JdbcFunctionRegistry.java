package dev.cumulus.registry;

import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/** FunctionRegistry on the Store's tables; the code bytes live in a {@link CodeStore}. */
final class JdbcFunctionRegistry implements FunctionRegistry {
    // Optimistic writes retry when another node changed the same function in between; this many
    // losses in a row means something is hammering one function.
    private static final int PUT_ATTEMPTS = 20;
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");
    // Lambda's alias names: never all digits, so an alias can never be mistaken for a version.
    private static final Pattern ALIAS = Pattern.compile("(?![0-9]+$)[A-Za-z0-9_-]{1,128}");
    private static final String SELECT_ALIAS = """
            SELECT function_name, name, function_version, additional_version, additional_ppm, description, revision,
                   created_at, updated_at
            FROM function_aliases
            """;

    private static final String SELECT_FUNCTION = """
            SELECT f.config, f.code_sha256, c.size_bytes, f.revision, f.created_at, f.updated_at, f.last_version
            FROM functions f JOIN code_packages c ON c.sha256 = f.code_sha256
            """;
    private static final String SELECT_VERSION = """
            SELECT v.version, v.config, v.code_sha256, c.size_bytes, v.created_at
            FROM function_versions v JOIN code_packages c ON c.sha256 = v.code_sha256
            """;

    private static final String UNREFERENCED = """
            NOT EXISTS (SELECT 1 FROM functions f WHERE f.code_sha256 = code_packages.sha256)
            AND NOT EXISTS (SELECT 1 FROM function_versions v WHERE v.code_sha256 = code_packages.sha256)""";

    private final Database db;
    private final MountGuard mounts;
    private final CodeStore code;
    /** When each package was first seen unreferenced by {@link #collectUnreferencedCode}, on this node. */
    private final java.util.concurrent.ConcurrentHashMap<String, Instant> unreferencedSince;
    private final Clock clock;
    private final DoubleSupplier random;
    /** Shared by every project's view, keyed by project, name and qualifier. */
    private final java.util.concurrent.ConcurrentHashMap<String, Target> resolved;
    /** Bumped before each forget(): a resolve that raced a change does not cache what it read. */
    private final java.util.concurrent.atomic.AtomicLong changes;
    /** The project this view reads and writes; every statement is bound to it. */
    private final String project;

    JdbcFunctionRegistry(Database db, Path codeDir, Clock clock, MountGuard mounts) {
        this(db, codeDir, clock, mounts, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random uniform in [0, 1), drawn once per resolve of an alias with routing */
    JdbcFunctionRegistry(Database db, Path codeDir, Clock clock, MountGuard mounts, DoubleSupplier random) {
        this.db = db;
        this.mounts = mounts;
        this.code = new CodeStore(codeDir, clock);
        this.clock = clock;
        this.random = random;
        this.unreferencedSince = new java.util.concurrent.ConcurrentHashMap<>();
        this.resolved = new java.util.concurrent.ConcurrentHashMap<>();
        this.changes = new java.util.concurrent.atomic.AtomicLong();
        this.project = FunctionArns.DEFAULT_PROJECT;
    }

    /** Another project's view of the same Store, code and caches. */
    private JdbcFunctionRegistry(JdbcFunctionRegistry shared, String project) {
        this.db = shared.db;
        this.mounts = shared.mounts;
        this.code = shared.code;
        this.clock = shared.clock;
        this.random = shared.random;
        this.unreferencedSince = shared.unreferencedSince;
        this.resolved = shared.resolved;
        this.changes = shared.changes;
        this.project = project;
    }

    @Override
    public FunctionRegistry project(String project) {
        if (this.project.equals(project)) {
            return this;
        }
        return new JdbcFunctionRegistry(this, ProjectNames.requireValid(project));
    }

    @Override
    public String project() {
        return project;
    }

    @Override
    public List<String> projects() {
        List<String> projects = db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT DISTINCT project FROM functions");
                    ResultSet rs = select.executeQuery()) {
                List<String> found = new ArrayList<>();
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
                return found;
            }
        });
        // sorted here, not in SQL: PostgreSQL's collation may order names unlike SQLite's
        projects.sort(null);
        return projects;
    }

    @Override
    public CodeRef storeCode(InputStream packageBytes, long maxBytes) {
        CodeStore.StoredPackage stored = code.receive(packageBytes, maxBytes);
        db.withConnection(c -> {
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO code_packages (sha256, size_bytes, created_at) VALUES (?, ?, ?)
                    ON CONFLICT (sha256) DO NOTHING""")) {
                insert.setString(1, stored.sha256());
                insert.setLong(2, stored.sizeBytes());
                insert.setLong(3, clock.millis());
                return insert.executeUpdate();
            }
        });
        return new CodeRef(stored.sha256(), stored.sizeBytes());
    }

    @Override
    public List<String> collectUnreferencedCode(Duration grace) {
        Instant now = clock.instant();
        Instant cutoff = now.minus(grace);
        List<String> unreferenced = db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT sha256 FROM code_packages WHERE "
                    + UNREFERENCED + " ORDER BY sha256");
                    ResultSet rs = select.executeQuery()) {
                List<String> shas = new ArrayList<>();
                while (rs.next()) {
                    shas.add(rs.getString(1));
                }
                return shas;
            }
        });
        // a package referenced again starts over; one seen unreferenced for the first time starts now
        unreferencedSince.keySet().retainAll(unreferenced);
        unreferenced.forEach(sha -> unreferencedSince.putIfAbsent(sha, now));
        List<String> removed = new ArrayList<>();
        for (String sha : unreferenced) {
            if (unreferencedSince.get(sha).isAfter(cutoff) || code.lastUploaded(sha).isAfter(cutoff)) {
                continue;
            }
            // The row goes only if still unreferenced, in one statement: a deploy that commits
            // first keeps the package, and the foreign keys refuse a deploy that comes after.
            int deleted = db.withConnection(c -> {
                try (PreparedStatement delete = c.prepareStatement(
                        "DELETE FROM code_packages WHERE sha256 = ? AND " + UNREFERENCED)) {
                    delete.setString(1, sha);
                    return delete.executeUpdate();
                }
            });
            if (deleted == 1) {
                code.remove(sha);
                unreferencedSince.remove(sha);
                removed.add(sha);
            }
        }
        return removed;
    }

    @Override
    public FunctionInfo put(FunctionConfig config, String codeSha256, Authority authority) {
        Optional<HandlerName> handler = ConfigValidator.validate(config);
        config.mounts().forEach(mounts::check);
        for (int attempt = 0; attempt < PUT_ATTEMPTS; attempt++) {
            Optional<FunctionInfo> current = get(config.name());
            requireMountAuthority(authority, current, config, codeSha256);
            String sha = codeSha256 != null
                    ? codeSha256
                    : current.map(info -> info.code().sha256()).orElseThrow(() -> ApiException.badRequest(
                            "MissingCode", "codeSha256 is required to create function " + config.name()));
            CodeRef codeRef = storedCode(sha);
            if (handler.isPresent() && !code.containsClass(sha, handler.get().classFile())) {
                throw ApiException.badRequest("HandlerNotFound", "class " + handler.get().className()
                        + " is neither at the root of code package " + sha + " nor in one of its lib/*.jar");
            }
            if (handler.isEmpty() && !code.containsFile(sha, CodeUnpacker.BOOTSTRAP)) {
                throw ApiException.badRequest("MissingBootstrap", "runtime " + config.runtime()
                        + " needs an executable file named bootstrap at the root of the code package; package "
                        + sha + " has none");
            }
            if (current.isPresent() && current.get().config().equals(config) && current.get().code().equals(codeRef)) {
                return current.get();
            }
            Optional<FunctionInfo> written = current.isEmpty()
                    ? insert(config, codeRef)
                    : update(current.get(), config, codeRef);
            forget(config.name());
            if (written.isPresent()) {
                return written.get();
            }
        }
        throw ApiException.conflict(
                "ConcurrentModification", "function " + config.name() + " keeps changing; try again");
    }

    /**
     * The issue 10 rule, checked against the revision the write is conditional on: new code (or
     * a new runtime, handler or environment) beside host mounts needs the authority that grants
     * mounts.
     */
    private static void requireMountAuthority(Authority authority, Optional<FunctionInfo> current,
            FunctionConfig config, String codeSha256) {
        FunctionConfig before = current.map(FunctionInfo::config).orElse(null);
        // egress is a grant like a mount: a network path out of the sandbox (ADR 0038)
        if (!authority.mayGrantEgress()
                && !config.egress().equals(before == null ? dev.cumulus.sandbox.Egress.NONE : before.egress())) {
            throw new ApiException(403, "EgressAuthorityRequired",
                    "granting or changing network egress needs functions:GrantEgress on the function");
        }
        if (authority.mayGrantMounts()) {
            return;
        }
        List<FunctionMount> granted = before == null ? List.of() : before.mounts();
        if (!config.mounts().equals(granted)) {
            throw new ApiException(403, "MountAuthorityRequired", "only the root token grants or changes host mounts");
        }
        if (granted.isEmpty()) {
            return;
        }
        boolean sameCode = codeSha256 == null || codeSha256.equals(current.get().code().sha256());
        if (!sameCode || !java.util.Objects.equals(config.runtime(), before.runtime())
                || !java.util.Objects.equals(config.handler(), before.handler())
                || !config.environment().equals(before.environment())) {
            throw new ApiException(403, "MountAuthorityRequired", "function " + config.name()
                    + " has host mounts granted with the root token; its code, runtime, handler and environment"
                    + " change only with that authority");
        }
    }

    private Optional<FunctionInfo> insert(FunctionConfig config, CodeRef codeRef) {
        long now = clock.millis();
        String revision = newRevision();
        int inserted = db.withConnection(c -> {
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO functions (name, config, code_sha256, revision, last_version, created_at, updated_at,
                        project)
                    VALUES (?, ?, ?, ?, 0, ?, ?, ?)
                    ON CONFLICT (project, name) DO NOTHING""")) {
                insert.setString(1, config.name());
                insert.setString(2, ConfigJson.write(config));
                insert.setString(3, codeRef.sha256());
                insert.setString(4, revision);
                insert.setLong(5, now);
                insert.setLong(6, now);
                insert.setString(7, project);
                return insert.executeUpdate();
            }
        });
        Instant at = Instant.ofEpochMilli(now);
        return inserted == 1 ? Optional.of(new FunctionInfo(project, config, codeRef, revision, at, at)) : Optional.empty();
    }

    // Conditional on the revision read before, so a concurrent change is never overwritten blindly.
    private Optional<FunctionInfo> update(FunctionInfo current, FunctionConfig config, CodeRef codeRef) {
        long now = Math.max(clock.millis(), current.updatedAt().toEpochMilli());
        String revision = newRevision();
        int updated = db.withConnection(c -> {
            try (PreparedStatement update = c.prepareStatement("""
                    UPDATE functions SET config = ?, code_sha256 = ?, revision = ?, updated_at = ?
                    WHERE name = ? AND revision = ? AND project = ?""")) {
                update.setString(1, ConfigJson.write(config));
                update.setString(2, codeRef.sha256());
                update.setString(3, revision);
                update.setLong(4, now);
                update.setString(5, config.name());
                update.setString(6, current.revision());
                update.setString(7, project);
                return update.executeUpdate();
            }
        });
        return updated == 1
                ? Optional.of(new FunctionInfo(project, config, codeRef, revision, current.createdAt(),
                        Instant.ofEpochMilli(now)))
                : Optional.empty();
    }

    private CodeRef storedCode(String sha) {
        Optional<CodeRef> ref = CodeStore.isSha256(sha)
                ? db.withConnection(c -> {
                    try (PreparedStatement select =
                            c.prepareStatement("SELECT size_bytes FROM code_packages WHERE sha256 = ?")) {
                        select.setString(1, sha);
                        try (ResultSet rs = select.executeQuery()) {
                            return rs.next() ? Optional.of(new CodeRef(sha, rs.getLong(1))) : Optional.<CodeRef>empty();
                        }
                    }
                })
                : Optional.empty();
        if (ref.isEmpty() || !code.exists(sha)) {
            throw ApiException.badRequest("UnknownCode", "no code package with sha256 " + sha + " is stored");
        }
        return ref.get();
    }

    @Override
    public Optional<FunctionInfo> get(String name) {
        if (!ConfigValidator.isValidName(name)) {
            return Optional.empty();
        }
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(SELECT_FUNCTION + " WHERE f.name = ? AND f.project = ?")) {
                select.setString(1, name);
                select.setString(2, project);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(functionInfo(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<FunctionInfo> list() {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(SELECT_FUNCTION + " WHERE f.project = ? ORDER BY f.name")) {
                select.setString(1, project);
                try (ResultSet rs = select.executeQuery()) {
                    List<FunctionInfo> functions = new ArrayList<>();
                    while (rs.next()) {
                        functions.add(functionInfo(rs));
                    }
                    return functions;
                }
            }
        });
    }

    @Override
    public boolean delete(String name) {
        try {
            return db.inTransaction(c -> {
                // The foreign key cascades too; deleting explicitly keeps this right if it is ever off.
                execute(c, "DELETE FROM function_aliases WHERE function_name = ? AND project = ?", name);
                execute(c, "DELETE FROM function_versions WHERE function_name = ? AND project = ?", name);
                return execute(c, "DELETE FROM functions WHERE name = ? AND project = ?", name) > 0;
            });
        } finally {
            forget(name);
        }
    }

    @Override
    public FunctionVersion publish(String name) {
        long now = clock.millis();
        return db.inTransaction(c -> {
            // Taking the row's write lock first serialises concurrent publishes of one function on
            // both databases; the primary key on (function_name, version) backs it up.
            if (execute(c, "UPDATE functions SET last_version = last_version + 1 WHERE name = ? AND project = ?",
                    name) == 0) {
                throw ApiException.notFound("function " + name + " does not exist");
            }
            long number;
            FunctionInfo latest;
            try (PreparedStatement select = c.prepareStatement(
                    SELECT_FUNCTION + " WHERE f.name = ? AND f.project = ?")) {
                select.setString(1, name);
                select.setString(2, project);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    number = rs.getLong("last_version");
                    latest = functionInfo(rs);
                }
            }
            if (latest.code() == null) {
                throw ApiException.badRequest("MissingCode", "function " + name + " has no code to publish");
            }
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO function_versions (function_name, version, config, code_sha256, created_at, project)
                    VALUES (?, ?, ?, ?, ?, ?)""")) {
                insert.setString(1, name);
                insert.setLong(2, number);
                insert.setString(3, ConfigJson.write(latest.config()));
                insert.setString(4, latest.code().sha256());
                insert.setLong(5, now);
                insert.setString(6, project);
                insert.executeUpdate();
            }
            String version = Long.toString(number);
            return new FunctionVersion(project, version, version, latest.config(), latest.code(),
                    Instant.ofEpochMilli(now));
        });
    }

    @Override
    public boolean deleteVersion(String name, String version) {
        if (!VERSION.matcher(version).matches()) {
            throw ApiException.badRequest("InvalidQualifier", "only a published version can be deleted, not '" + version + "'");
        }
        long number = Long.parseLong(version);
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement used = c.prepareStatement("SELECT name FROM function_aliases"
                        + " WHERE function_name = ? AND project = ? AND (function_version = ? OR additional_version = ?)")) {
                    used.setString(1, name);
                    used.setString(2, project);
                    used.setString(3, version);
                    used.setString(4, version);
                    try (ResultSet rs = used.executeQuery()) {
                        if (rs.next()) {
                            throw ApiException.conflict("VersionInUse", "version " + version + " of function " + name
                                    + " is used by alias " + rs.getString(1));
                        }
                    }
                }
                try (PreparedStatement delete =
                        c.prepareStatement("DELETE FROM function_versions WHERE function_name = ? AND version = ? AND project = ?")) {
                    delete.setString(1, name);
                    delete.setLong(2, number);
                    delete.setString(3, project);
                    return delete.executeUpdate() > 0;
                }
            });
        } finally {
            forget(name);
        }
    }

    @Override
    public List<FunctionVersion> versions(String name) {
        if (get(name).isEmpty()) {
            throw ApiException.notFound("function " + name + " does not exist");
        }
        return db.withConnection(c -> {
            try (PreparedStatement select =
                    c.prepareStatement(SELECT_VERSION + " WHERE v.function_name = ? AND v.project = ? ORDER BY v.version")) {
                select.setString(1, name);
                select.setString(2, project);
                try (ResultSet rs = select.executeQuery()) {
                    List<FunctionVersion> versions = new ArrayList<>();
                    while (rs.next()) {
                        versions.add(functionVersion(project, rs));
                    }
                    return versions;
                }
            }
        });
    }

    @Override
    public FunctionVersion resolve(String name, String qualifier) {
        String key = project + '\u0000' + name + '\u0000' + (qualifier == null ? FunctionVersion.LATEST : qualifier);
        Target cached = resolved.get(key);
        if (cached != null) {
            return cached.pick(random);
        }
        long seen = changes.get();
        Target target = target(name, qualifier);
        if (changes.get() == seen) {
            resolved.put(key, target);
        }
        return target.pick(random);
    }

    /** What a qualifier stands for: one version, or an alias's two with the second one's weight. */
    private sealed interface Target {
        FunctionVersion pick(DoubleSupplier random);
    }

    private record Fixed(FunctionVersion version) implements Target {
        @Override
        public FunctionVersion pick(DoubleSupplier random) {
            return version;
        }
    }

    private record Routed(FunctionVersion primary, FunctionVersion secondary, long secondaryPpm) implements Target {
        @Override
        public FunctionVersion pick(DoubleSupplier random) {
            return random.getAsDouble() * Alias.Routing.WHOLE < secondaryPpm ? secondary : primary;
        }
    }

    private Target target(String name, String qualifier) {
        if (qualifier == null || qualifier.equals(FunctionVersion.LATEST) || !ALIAS.matcher(qualifier).matches()) {
            return new Fixed(load(name, qualifier));
        }
        Alias alias = alias(name, qualifier).orElseThrow(() -> missingQualifier(name, "AliasNotFound", "alias", qualifier));
        FunctionVersion primary = load(name, alias.functionVersion());
        return alias.routing() == null
                ? new Fixed(primary)
                : new Routed(primary, load(name, alias.routing().version()), alias.routing().weightPpm());
    }

    /**
     * Every invocation resolves its version, so answers are cached: published versions never
     * change, and {@code $LATEST} is dropped from the cache by every put or delete of its
     * function. Single-node only: a cluster will need the Store to tell other nodes.
     */
    private void forget(String name) {
        changes.incrementAndGet();
        String prefix = project + '\u0000' + name + '\u0000';
        resolved.keySet().removeIf(k -> k.startsWith(prefix));
    }

    private FunctionVersion load(String name, String qualifier) {
        if (qualifier == null || qualifier.equals(FunctionVersion.LATEST)) {
            FunctionInfo latest = get(name).orElseThrow(() -> ApiException.notFound("function " + name + " does not exist"));
            return latest.latest();
        }
        if (!VERSION.matcher(qualifier).matches()) {
            throw ApiException.badRequest("InvalidQualifier",
                    "qualifier must be $LATEST, a version number or an alias name, got '" + qualifier + "'");
        }
        Optional<FunctionVersion> version = db.withConnection(c -> {
            try (PreparedStatement select =
                    c.prepareStatement(SELECT_VERSION + " WHERE v.function_name = ? AND v.version = ? AND v.project = ?")) {
                select.setString(1, name);
                select.setLong(2, Long.parseLong(qualifier));
                select.setString(3, project);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(functionVersion(project, rs)) : Optional.<FunctionVersion>empty();
                }
            }
        });
        return version.orElseThrow(() -> missingQualifier(name, "VersionNotFound", "version", qualifier));
    }

    /**
     * A 404 that says what is missing: the function itself, or only its version or alias
     * ({@code function hello has no version 7}, code {@code VersionNotFound} or {@code AliasNotFound}).
     */
    private ApiException missingQualifier(String name, String code, String what, String qualifier) {
        if (get(name).isEmpty()) {
            return ApiException.notFound("function " + name + " does not exist");
        }
        return qualifierNotFound(name, code, what, qualifier);
    }

    private static ApiException qualifierNotFound(String name, String code, String what, String qualifier) {
        return new ApiException(404, code, "function " + name + " has no " + what + " " + qualifier);
    }

    // ---- aliases

    @Override
    public Alias createAlias(String name, String alias, Alias.Spec spec) {
        validateAlias(alias, spec);
        long now = clock.millis();
        Alias created = new Alias(name, alias, spec.functionVersion(), description(spec), spec.routing(),
                newAliasRevision(), Instant.ofEpochMilli(now), Instant.ofEpochMilli(now));
        try {
            return db.inTransaction(c -> {
                requireVersions(c, name, spec);
                try (PreparedStatement insert = c.prepareStatement("""
                        INSERT INTO function_aliases (function_name, name, function_version, additional_version,
                            additional_ppm, description, revision, created_at, updated_at, project)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (project, function_name, name) DO NOTHING""")) {
                    insert.setString(1, name);
                    insert.setString(2, alias);
                    bindAlias(insert, 3, created);
                    insert.setLong(8, now);
                    insert.setLong(9, now);
                    insert.setString(10, project);
                    if (insert.executeUpdate() == 0) {
                        throw ApiException.conflict("AliasExists", "alias " + alias + " of function " + name + " already exists");
                    }
                }
                return created;
            });
        } finally {
            forget(name);
        }
    }

    @Override
    public Alias updateAlias(String name, String alias, Alias.Spec spec, String expectedRevision) {
        validateAlias(alias, spec);
        try {
            return db.inTransaction(c -> {
                Alias current = selectAlias(c, name, alias).orElseThrow(() -> ApiException.notFound(
                        "alias " + alias + " of function " + name + " does not exist"));
                if (expectedRevision != null && !expectedRevision.equals(current.revision())) {
                    throw new ApiException(412, "PreconditionFailed", "alias " + alias + " has changed: its revision is "
                            + current.revision() + ", not " + expectedRevision);
                }
                requireVersions(c, name, spec);
                long now = Math.max(clock.millis(), current.updatedAt().toEpochMilli());
                Alias updated = new Alias(name, alias, spec.functionVersion(), description(spec), spec.routing(),
                        newAliasRevision(), current.createdAt(), Instant.ofEpochMilli(now));
                try (PreparedStatement update = c.prepareStatement("""
                        UPDATE function_aliases SET function_version = ?, additional_version = ?, additional_ppm = ?,
                            description = ?, revision = ?, updated_at = ?
                        WHERE function_name = ? AND name = ? AND revision = ? AND project = ?""")) {
                    bindAlias(update, 1, updated);
                    update.setLong(6, now);
                    update.setString(7, name);
                    update.setString(8, alias);
                    update.setString(9, current.revision());
                    update.setString(10, project);
                    if (update.executeUpdate() == 0) {
                        throw ApiException.conflict("ConcurrentModification", "alias " + alias + " keeps changing; try again");
                    }
                }
                return updated;
            });
        } finally {
            forget(name);
        }
    }

    @Override
    public Optional<Alias> alias(String name, String alias) {
        if (!ConfigValidator.isValidName(name) || alias == null || !ALIAS.matcher(alias).matches()) {
            return Optional.empty();
        }
        return db.withConnection(c -> selectAlias(c, name, alias));
    }

    @Override
    public List<Alias> aliases(String name) {
        if (get(name).isEmpty()) {
            throw ApiException.notFound("function " + name + " does not exist");
        }
        return db.withConnection(c -> {
            try (PreparedStatement select =
                    c.prepareStatement(SELECT_ALIAS + " WHERE function_name = ? AND project = ? ORDER BY name")) {
                select.setString(1, name);
                select.setString(2, project);
                try (ResultSet rs = select.executeQuery()) {
                    List<Alias> aliases = new ArrayList<>();
                    while (rs.next()) {
                        aliases.add(alias(rs));
                    }
                    return aliases;
                }
            }
        });
    }

    @Override
    public boolean deleteAlias(String name, String alias) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement delete =
                        c.prepareStatement("DELETE FROM function_aliases WHERE function_name = ? AND name = ? AND project = ?")) {
                    delete.setString(1, name);
                    delete.setString(2, alias);
                    delete.setString(3, project);
                    return delete.executeUpdate() > 0;
                }
            });
        } finally {
            forget(name);
        }
    }

    private static void validateAlias(String alias, Alias.Spec spec) {
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw ApiException.badRequest("InvalidParameter",
                    "alias name must be 1-128 characters of [A-Za-z0-9_-] and not only digits, got '" + alias + "'");
        }
        String version = spec.functionVersion();
        if (version == null || !(version.equals(FunctionVersion.LATEST) || VERSION.matcher(version).matches())) {
            throw ApiException.badRequest("InvalidParameter",
                    "an alias points at $LATEST or a version number, got '" + version + "'");
        }
        Alias.Routing routing = spec.routing();
        if (routing == null) {
            return;
        }
        if (routing.version() == null || !VERSION.matcher(routing.version()).matches()) {
            throw ApiException.badRequest("InvalidParameter",
                    "an alias routes only to a published version, got '" + routing.version() + "'");
        }
        if (version.equals(FunctionVersion.LATEST)) {
            throw ApiException.badRequest("InvalidParameter", "an alias with routing must point at a published version, not $LATEST");
        }
        if (routing.version().equals(version)) {
            throw ApiException.badRequest("InvalidParameter", "an alias cannot route to the version it points at");
        }
        if (routing.weightPpm() < 0 || routing.weightPpm() > Alias.Routing.WHOLE) {
            throw ApiException.badRequest("InvalidParameter", "a routing weight must be between 0.0 and 1.0");
        }
    }

    private static String description(Alias.Spec spec) {
        return spec.description() == null ? "" : spec.description();
    }

    // Inside the alias's transaction: versions are only ever removed with their function, whose
    // delete cascades to its aliases, so an alias never points at a missing version.
    private void requireVersions(Connection c, String name, Alias.Spec spec) throws SQLException {
        if (execute(c, "UPDATE functions SET last_version = last_version WHERE name = ? AND project = ?", name) == 0) {
            throw ApiException.notFound("function " + name + " does not exist");
        }
        requireVersion(c, name, spec.functionVersion());
        if (spec.routing() != null) {
            requireVersion(c, name, spec.routing().version());
        }
    }

    private void requireVersion(Connection c, String name, String version) throws SQLException {
        if (version.equals(FunctionVersion.LATEST)) {
            return;
        }
        try (PreparedStatement select =
                c.prepareStatement("SELECT 1 FROM function_versions WHERE function_name = ? AND version = ? AND project = ?")) {
            select.setString(1, name);
            select.setLong(2, Long.parseLong(version));
            select.setString(3, project);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    // the function exists: requireVersions checked it in this transaction
                    throw qualifierNotFound(name, "VersionNotFound", "version", version);
                }
            }
        }
    }

    private Optional<Alias> selectAlias(Connection c, String name, String alias) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement(SELECT_ALIAS + " WHERE function_name = ? AND name = ? AND project = ?")) {
            select.setString(1, name);
            select.setString(2, alias);
            select.setString(3, project);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(alias(rs)) : Optional.empty();
            }
        }
    }

    /** Binds version, additional version, weight, description and revision from {@code first}. */
    private static void bindAlias(PreparedStatement statement, int first, Alias alias) throws SQLException {
        statement.setString(first, alias.functionVersion());
        statement.setString(first + 1, alias.routing() == null ? null : alias.routing().version());
        statement.setLong(first + 2, alias.routing() == null ? 0 : alias.routing().weightPpm());
        statement.setString(first + 3, alias.description());
        statement.setString(first + 4, alias.revision());
    }

    private static Alias alias(ResultSet rs) throws SQLException {
        String additional = rs.getString("additional_version");
        return new Alias(rs.getString("function_name"), rs.getString("name"), rs.getString("function_version"),
                rs.getString("description"),
                additional == null ? null : new Alias.Routing(additional, rs.getLong("additional_ppm")),
                rs.getString("revision"), Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")));
    }

    private static String newAliasRevision() {
        return java.util.UUID.randomUUID().toString();
    }

    @Override
    public Path codePackage(CodeRef codeRef) {
        return code.packagePath(codeRef.sha256());
    }

    @Override
    public Path unpackedCode(CodeRef codeRef) {
        return code.unpacked(codeRef.sha256());
    }

    private FunctionInfo functionInfo(ResultSet rs) throws SQLException {
        return new FunctionInfo(
                project,
                ConfigJson.read(rs.getString("config")),
                new CodeRef(rs.getString("code_sha256"), rs.getLong("size_bytes")),
                rs.getString("revision"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")));
    }

    private static FunctionVersion functionVersion(String project, ResultSet rs) throws SQLException {
        String version = Long.toString(rs.getLong("version"));
        return new FunctionVersion(
                project,
                version,
                version,
                ConfigJson.read(rs.getString("config")),
                new CodeRef(rs.getString("code_sha256"), rs.getLong("size_bytes")),
                Instant.ofEpochMilli(rs.getLong("created_at")));
    }

    /** Runs {@code sql} with the function's name and this view's project as its two parameters. */
    private int execute(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            statement.setString(1, name);
            statement.setString(2, project);
            return statement.executeUpdate();
        }
    }

    // Prefixed so a draft's revision can never equal a published version's ("1", "2", ...).
    private static String newRevision() {
        byte[] random = new byte[12];
        ThreadLocalRandom.current().nextBytes(random);
        return "r" + HexFormat.of().formatHex(random);
    }
}
