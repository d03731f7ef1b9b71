package dev.cumulus.sources;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.store.Database;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The mapping table, plain JDBC on the Store; the settings travel as one JSON column. */
final class SourceStore {
    private static final String SELECT = "SELECT project, name, source_type, config, enabled, created_at FROM event_source_mappings";

    private final Database db;

    SourceStore(Database db) {
        this.db = db;
    }

    /** @return false when a mapping of that name exists already */
    boolean insert(SourceMapping mapping) {
        return db.withConnection(c -> {
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO event_source_mappings (project, name, source_type, config, enabled, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project, name) DO NOTHING""")) {
                insert.setString(1, mapping.project());
                insert.setString(2, mapping.name());
                insert.setString(3, mapping.type().wireName());
                insert.setString(4, configJson(mapping));
                insert.setBoolean(5, mapping.enabled());
                insert.setLong(6, mapping.createdAt().toEpochMilli());
                insert.setLong(7, mapping.createdAt().toEpochMilli());
                return insert.executeUpdate() == 1;
            }
        });
    }

    Optional<SourceMapping> get(String project, String name) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(SELECT + " WHERE project = ? AND name = ?")) {
                select.setString(1, project);
                select.setString(2, name);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(read(rows)) : Optional.empty();
                }
            }
        });
    }

    /** Every project's mappings, for starting them. */
    List<SourceMapping> list() {
        return select(SELECT + " ORDER BY project, name", null);
    }

    List<SourceMapping> list(String project) {
        return select(SELECT + " WHERE project = ? ORDER BY name", project);
    }

    private List<SourceMapping> select(String sql, String project) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(sql)) {
                if (project != null) {
                    select.setString(1, project);
                }
                try (ResultSet rows = select.executeQuery()) {
                    List<SourceMapping> all = new ArrayList<>();
                    while (rows.next()) {
                        all.add(read(rows));
                    }
                    return all;
                }
            }
        });
    }

    /** @return false when there is no such mapping */
    boolean setEnabled(String project, String name, boolean enabled, Instant now) {
        return db.withConnection(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE event_source_mappings SET enabled = ?, updated_at = ? WHERE project = ? AND name = ?")) {
                update.setBoolean(1, enabled);
                update.setLong(2, now.toEpochMilli());
                update.setString(3, project);
                update.setString(4, name);
                return update.executeUpdate() == 1;
            }
        });
    }

    /** @return false when there is no such mapping */
    boolean delete(String project, String name) {
        return db.withConnection(c -> {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM event_source_mappings WHERE project = ? AND name = ?")) {
                delete.setString(1, project);
                delete.setString(2, name);
                return delete.executeUpdate() == 1;
            }
        });
    }

    private static String configJson(SourceMapping m) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("url", m.url());
        config.put("topic", m.topic());
        config.put("subject", m.subject());
        config.put("stream", m.stream());
        config.put("queue", m.queue());
        config.put("function", m.function());
        config.put("batchSize", m.batchSize());
        config.put("batchWindowMs", m.batchWindowMs());
        config.put("ordered", m.ordered());
        config.put("maxRetries", m.maxRetries());
        config.put("onFailure", m.onFailure() == null ? null : m.onFailure().spec());
        return new String(Json.write(config), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static SourceMapping read(ResultSet row) throws SQLException {
        JsonNode config;
        try {
            config = Json.MAPPER.readTree(row.getString("config"));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable config of source " + row.getString("name"), e);
        }
        String onFailure = text(config, "onFailure");
        return new SourceMapping(
                row.getString("project"),
                row.getString("name"),
                SourceType.valueOf(row.getString("source_type").toUpperCase(Locale.ROOT)),
                text(config, "url"),
                text(config, "topic"),
                text(config, "subject"),
                text(config, "stream"),
                text(config, "queue"),
                text(config, "function"),
                config.path("batchSize").asInt(),
                config.path("batchWindowMs").asInt(),
                config.path("ordered").asBoolean(),
                config.path("maxRetries").asInt(),
                // stored specs were validated when created; the function check is for new input only
                onFailure == null ? null : MappingSpecs.parseOnFailure(onFailure, null),
                row.getBoolean("enabled"),
                Instant.ofEpochMilli(row.getLong("created_at")));
    }

    private static String text(JsonNode config, String field) {
        JsonNode node = config.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }
}
