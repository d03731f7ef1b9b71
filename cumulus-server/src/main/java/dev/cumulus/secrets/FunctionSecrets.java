package dev.cumulus.secrets;

import dev.cumulus.auth.SecretBox;
import dev.cumulus.errors.ApiException;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The secrets of each function of each project. Values are sealed (AES-256-GCM, {@link SecretBox})
 * with associated data naming project, function and secret, so a sealed value copied to another
 * row does not open; only {@link #values} unseals them, for a new instance's environment. A
 * change reaches new instances only: {@link Changes} retires the function's running ones.
 */
public final class FunctionSecrets {
    /** What a secret may be called: an environment variable name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    /** Names the node sets itself; a secret must not shadow how the runtime or the node works. */
    private static final List<String> RESERVED_PREFIXES = List.of("AWS_", "LAMBDA_", "CUMULUS_", "_");
    private static final Set<String> RESERVED = Set.of("PATH", "LANG", "TZ", "HOME", "JAVA_TOOL_OPTIONS");
    static final int MAX_VALUE_BYTES = 32 * 1024;
    static final int MAX_SECRETS_PER_FUNCTION = 100;

    /** What happens on the node when a function's secrets change. */
    public interface Changes {
        /** {@code function} of {@code project} has other secrets now: its running instances must go. */
        void changed(String project, String function);
    }

    /** A secret as APIs show it: never its value. */
    public record Info(String name, Instant createdAt, Instant updatedAt) {}

    private final Database db;
    private final SecretBox box;
    private final FunctionRegistry registry;
    private final Changes changes;
    private final Clock clock;

    public FunctionSecrets(Database db, SecretBox box, FunctionRegistry registry, Changes changes, Clock clock) {
        this.db = db;
        this.box = box;
        this.registry = registry;
        this.changes = changes;
        this.clock = clock;
    }

    /** Sets (creates or replaces) secret {@code name} of {@code function}; 404 if there is no such function. */
    public void put(String project, String function, String name, String value) {
        requireFunction(project, function);
        requireName(name);
        if (value == null) {
            throw ApiException.badRequest("InvalidParameter", "'value' is required, a string");
        }
        if (value.indexOf('\0') >= 0) {
            throw ApiException.badRequest("InvalidParameter", "a secret's value cannot contain a NUL character, "
                    + "which no process environment can hold");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            throw ApiException.tooLarge("a secret's value is limited to " + MAX_VALUE_BYTES + " bytes");
        }
        String sealed = box.seal(value, associatedData(project, function, name));
        long now = clock.millis();
        db.inTransaction(c -> {
            boolean exists;
            try (PreparedStatement select = c.prepareStatement("SELECT COUNT(*), SUM(CASE WHEN name = ? THEN 1 ELSE 0 END)"
                    + " FROM function_secrets WHERE project = ? AND function_name = ?")) {
                select.setString(1, name);
                select.setString(2, project);
                select.setString(3, function);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    exists = rs.getLong(2) > 0;
                    if (!exists && rs.getLong(1) >= MAX_SECRETS_PER_FUNCTION) {
                        throw new ApiException(403, "QuotaExceeded", "function " + function + " has "
                                + MAX_SECRETS_PER_FUNCTION + " secrets, the most one may have");
                    }
                }
            }
            try (PreparedStatement write = c.prepareStatement(exists
                    ? "UPDATE function_secrets SET value_sealed = ?, updated_at = ?"
                            + " WHERE project = ? AND function_name = ? AND name = ?"
                    : "INSERT INTO function_secrets (value_sealed, updated_at, project, function_name, name, created_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?)")) {
                write.setString(1, sealed);
                write.setLong(2, now);
                write.setString(3, project);
                write.setString(4, function);
                write.setString(5, name);
                if (!exists) {
                    write.setLong(6, now);
                }
                return write.executeUpdate();
            }
        });
        changes.changed(project, function);
    }

    /** The function's secrets by name, without values; 404 if there is no such function. */
    public List<Info> list(String project, String function) {
        requireFunction(project, function);
        List<Info> infos = db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT name, created_at, updated_at FROM function_secrets"
                    + " WHERE project = ? AND function_name = ?")) {
                select.setString(1, project);
                select.setString(2, function);
                try (ResultSet rs = select.executeQuery()) {
                    List<Info> found = new ArrayList<>();
                    while (rs.next()) {
                        found.add(new Info(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)),
                                Instant.ofEpochMilli(rs.getLong(3))));
                    }
                    return found;
                }
            }
        });
        // sorted here, not in SQL: PostgreSQL's collation may order names unlike SQLite's
        infos.sort(java.util.Comparator.comparing(Info::name));
        return infos;
    }

    /** Removes one secret; false if there was none. 404 if there is no such function. */
    public boolean delete(String project, String function, String name) {
        requireFunction(project, function);
        int deleted = db.withConnection(c -> {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM function_secrets WHERE project = ? AND function_name = ? AND name = ?")) {
                delete.setString(1, project);
                delete.setString(2, function);
                delete.setString(3, name);
                return delete.executeUpdate();
            }
        });
        if (deleted > 0) {
            changes.changed(project, function);
        }
        return deleted > 0;
    }

    /**
     * The unsealed values, for a new instance's environment and its log redaction. A value that
     * does not open (the key file was replaced, or a row was copied) stops the start: an instance
     * never runs without a secret it was given.
     */
    public Map<String, String> values(String project, String function) {
        Map<String, String> sealed = db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT name, value_sealed FROM function_secrets WHERE project = ? AND function_name = ?")) {
                select.setString(1, project);
                select.setString(2, function);
                try (ResultSet rs = select.executeQuery()) {
                    Map<String, String> found = new LinkedHashMap<>();
                    while (rs.next()) {
                        found.put(rs.getString(1), rs.getString(2));
                    }
                    return found;
                }
            }
        });
        Map<String, String> values = new LinkedHashMap<>();
        for (var entry : sealed.entrySet()) {
            try {
                values.put(entry.getKey(), box.open(entry.getValue(), associatedData(project, function, entry.getKey())));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalStateException("secret " + entry.getKey() + " of function " + project + "/" + function
                        + " does not open with this node's key", e);
            }
        }
        return values;
    }

    private void requireFunction(String project, String function) {
        if (registry.project(project).get(function).isEmpty()) {
            throw ApiException.notFound("function " + function + " does not exist");
        }
    }

    private static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest("InvalidParameter",
                    "a secret's name is an environment variable name: [A-Za-z_][A-Za-z0-9_]*, at most 128 characters");
        }
        if (RESERVED.contains(name) || RESERVED_PREFIXES.stream().anyMatch(name::startsWith)) {
            throw ApiException.badRequest("ReservedName", "secret " + name + " would shadow a variable the node sets"
                    + " (AWS_*, LAMBDA_*, CUMULUS_*, _*, PATH, LANG, TZ, HOME, JAVA_TOOL_OPTIONS)");
        }
    }

    private static String associatedData(String project, String function, String name) {
        return "function-secret\u0000" + project + "\u0000" + function + "\u0000" + name;
    }
}
