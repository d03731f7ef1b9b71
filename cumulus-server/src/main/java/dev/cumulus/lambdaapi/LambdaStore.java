package dev.cumulus.lambdaapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.store.Database;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What the Lambda API keeps beside the registry for one project (migration V8, ADR 0016): the
 * settings it echoes, tags, policy statements, function URL configs and provisioned concurrency
 * configs. Rows go with their function: the foreign keys cascade when it is deleted, whichever
 * API deletes it.
 */
final class LambdaStore {
    /** The qualifier under which an unqualified function's policy and URL config are kept. */
    static final String UNQUALIFIED = "";

    private final Database db;
    private final String project;
    private final Clock clock;

    LambdaStore(Database db, String project, Clock clock) {
        this.db = db;
        this.project = project;
        this.clock = clock;
    }

    String project() {
        return project;
    }

    /** Settings kept for a version ({@code $LATEST} or a number) and the revision they got. */
    record Settings(ObjectNode fields, String revision) {}

    record UrlConfig(ObjectNode config, Instant createdAt, Instant updatedAt) {}

    record Provisioned(int requested, Instant updatedAt) {}

    // ---- settings

    Optional<Settings> settings(String function, String version) {
        return one("SELECT settings, revision FROM lambda_function_settings"
                + " WHERE project = ? AND function_name = ? AND version = ?",
                rs -> new Settings(object(rs.getString(1)), rs.getString(2)), function, version);
    }

    /** Replaces a version's settings; returns the new revision. */
    String putSettings(String function, String version, ObjectNode fields) {
        String revision = UUID.randomUUID().toString();
        update("""
                INSERT INTO lambda_function_settings (project, function_name, version, settings, revision)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (project, function_name, version) DO UPDATE SET settings = excluded.settings,
                    revision = excluded.revision""", project, function, version, text(fields), revision);
        return revision;
    }

    void deleteSettings(String function, String version) {
        update("DELETE FROM lambda_function_settings WHERE project = ? AND function_name = ? AND version = ?",
                project, function, version);
    }

    // ---- tags

    Map<String, String> tags(String function) {
        Map<String, String> tags = new LinkedHashMap<>();
        db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT tag_key, tag_value FROM lambda_tags"
                    + " WHERE project = ? AND function_name = ? ORDER BY tag_key")) {
                bind(select, project, function);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        tags.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            return null;
        });
        return tags;
    }

    void tag(String function, Map<String, String> tags) {
        db.inTransaction(c -> {
            for (var tag : tags.entrySet()) {
                try (PreparedStatement upsert = c.prepareStatement("""
                        INSERT INTO lambda_tags (project, function_name, tag_key, tag_value) VALUES (?, ?, ?, ?)
                        ON CONFLICT (project, function_name, tag_key) DO UPDATE SET tag_value = excluded.tag_value""")) {
                    bind(upsert, project, function, tag.getKey(), tag.getValue());
                    upsert.executeUpdate();
                }
            }
            return null;
        });
    }

    void untag(String function, Collection<String> keys) {
        db.inTransaction(c -> {
            for (String key : keys) {
                try (PreparedStatement delete = c.prepareStatement(
                        "DELETE FROM lambda_tags WHERE project = ? AND function_name = ? AND tag_key = ?")) {
                    bind(delete, project, function, key);
                    delete.executeUpdate();
                }
            }
            return null;
        });
    }

    // ---- policy statements

    /** The statements of one qualifier's policy, oldest first. */
    List<ObjectNode> statements(String function, String qualifier) {
        List<ObjectNode> statements = new ArrayList<>();
        db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT statement FROM lambda_policy_statements"
                    + " WHERE project = ? AND function_name = ? AND qualifier = ? ORDER BY created_at, sid")) {
                bind(select, project, function, qualifier);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        statements.add(object(rs.getString(1)));
                    }
                }
            }
            return null;
        });
        return statements;
    }

    /** Adds a statement; false if one with that id exists already. */
    boolean addStatement(String function, String qualifier, String sid, ObjectNode statement) {
        return update("""
                INSERT INTO lambda_policy_statements (project, function_name, qualifier, sid, statement, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (project, function_name, qualifier, sid) DO NOTHING""",
                project, function, qualifier, sid, text(statement), clock.millis()) == 1;
    }

    boolean removeStatement(String function, String qualifier, String sid) {
        return update("DELETE FROM lambda_policy_statements WHERE project = ? AND function_name = ? AND qualifier = ?"
                + " AND sid = ?", project, function, qualifier, sid) == 1;
    }

    // ---- function URL configs

    Optional<UrlConfig> urlConfig(String function, String qualifier) {
        return one("SELECT config, created_at, updated_at FROM lambda_url_configs"
                + " WHERE project = ? AND function_name = ? AND qualifier = ?",
                rs -> new UrlConfig(object(rs.getString(1)), Instant.ofEpochMilli(rs.getLong(2)),
                        Instant.ofEpochMilli(rs.getLong(3))), function, qualifier);
    }

    /** Creates the config; false if the function has one already. */
    boolean createUrlConfig(String function, String qualifier, ObjectNode config) {
        long now = clock.millis();
        return update("""
                INSERT INTO lambda_url_configs (project, function_name, qualifier, config, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (project, function_name, qualifier) DO NOTHING""",
                project, function, qualifier, text(config), now, now) == 1;
    }

    boolean updateUrlConfig(String function, String qualifier, ObjectNode config) {
        return update("UPDATE lambda_url_configs SET config = ?, updated_at = ?"
                + " WHERE project = ? AND function_name = ? AND qualifier = ?",
                text(config), clock.millis(), project, function, qualifier) == 1;
    }

    boolean deleteUrlConfig(String function, String qualifier) {
        return update("DELETE FROM lambda_url_configs WHERE project = ? AND function_name = ? AND qualifier = ?",
                project, function, qualifier) == 1;
    }

    // ---- provisioned concurrency configs

    /** Requested provisioned concurrency by qualifier. */
    Map<String, Provisioned> provisioned(String function) {
        Map<String, Provisioned> out = new LinkedHashMap<>();
        db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT qualifier, requested, updated_at"
                    + " FROM lambda_provisioned_concurrency"
                    + " WHERE project = ? AND function_name = ? ORDER BY qualifier")) {
                bind(select, project, function);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), new Provisioned(rs.getInt(2), Instant.ofEpochMilli(rs.getLong(3))));
                    }
                }
            }
            return null;
        });
        return out;
    }

    void putProvisioned(String function, String qualifier, int requested) {
        update("""
                INSERT INTO lambda_provisioned_concurrency (project, function_name, qualifier, requested, updated_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (project, function_name, qualifier) DO UPDATE SET requested = excluded.requested,
                    updated_at = excluded.updated_at""", project, function, qualifier, requested, clock.millis());
    }

    boolean deleteProvisioned(String function, String qualifier) {
        return update("DELETE FROM lambda_provisioned_concurrency WHERE project = ? AND function_name = ? AND qualifier = ?",
                project, function, qualifier) == 1;
    }

    // ---- helpers

    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> Optional<T> one(String sql, Row<T> row, String function, String key) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(sql)) {
                bind(select, project, function, key);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(row.read(rs)) : Optional.<T>empty();
                }
            }
        });
    }

    private int update(String sql, Object... values) {
        return db.withConnection(c -> {
            try (PreparedStatement statement = c.prepareStatement(sql)) {
                bind(statement, values);
                return statement.executeUpdate();
            }
        });
    }

    private static void bind(PreparedStatement statement, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            switch (values[i]) {
                case String s -> statement.setString(i + 1, s);
                case Integer n -> statement.setInt(i + 1, n);
                case Long n -> statement.setLong(i + 1, n);
                default -> throw new IllegalArgumentException("cannot bind " + values[i]);
            }
        }
    }

    private static String text(ObjectNode node) {
        return node.toString();
    }

    private static ObjectNode object(String text) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored Lambda document is not JSON", e);
        }
    }
}
