package dev.cumulus.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Routes in the node's database; the options a route has beside its key are one JSON column. */
final class JdbcRouteStore implements RouteStore {
    private static final String COLUMNS = "id, project, method, path, function_name, settings, created_at";
    private final Database db;

    JdbcRouteStore(Database db) {
        this.db = db;
    }

    @Override
    public Route create(Route route) {
        String key = PathPattern.parse(route.path()).key();
        return db.inTransaction(c -> {
            try (PreparedStatement taken = c.prepareStatement(
                    "SELECT id FROM routes WHERE project = ? AND method = ? AND path_key = ?")) {
                taken.setString(1, route.project());
                taken.setString(2, route.method());
                taken.setString(3, key);
                try (ResultSet rs = taken.executeQuery()) {
                    if (rs.next()) {
                        throw ApiException.conflict("RouteExists", "route " + rs.getString(1) + " already takes "
                                + route.method() + " " + route.path());
                    }
                }
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO routes (" + COLUMNS
                    + ", path_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, route.id());
                insert.setString(2, route.project());
                insert.setString(3, route.method());
                insert.setString(4, route.path());
                insert.setString(5, route.function());
                insert.setString(6, settings(route));
                insert.setLong(7, route.createdAt().toEpochMilli());
                insert.setString(8, key);
                insert.executeUpdate();
            }
            return route;
        });
    }

    @Override
    public List<Route> list(String project) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM routes WHERE project = ? ORDER BY path, method")) {
                select.setString(1, project);
                List<Route> routes = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        routes.add(read(rs));
                    }
                }
                return routes;
            }
        });
    }

    @Override
    public Optional<Route> get(String project, String id) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM routes WHERE project = ? AND id = ?")) {
                select.setString(1, project);
                select.setString(2, id);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean delete(String project, String id) {
        return db.withConnection(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM routes WHERE project = ? AND id = ?")) {
                delete.setString(1, project);
                delete.setString(2, id);
                return delete.executeUpdate() > 0;
            }
        });
    }

    private static String settings(Route route) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("payloadFormat", route.payloadFormat().label());
        node.put("auth", route.auth().name());
        if (route.cors() != null) node.set("cors", Json.MAPPER.valueToTree(route.cors()));
        if (route.throttle() != null) node.set("throttle", Json.MAPPER.valueToTree(route.throttle()));
        return node.toString();
    }

    private static Route read(ResultSet rs) throws SQLException {
        JsonNode settings;
        try {
            settings = Json.MAPPER.readTree(rs.getString("settings"));
            return new Route(rs.getString("id"), rs.getString("project"), rs.getString("method"), rs.getString("path"),
                    rs.getString("function_name"), Route.PayloadFormat.of(settings.path("payloadFormat").asText()),
                    Route.Auth.valueOf(settings.path("auth").asText()),
                    settings.hasNonNull("cors") ? Json.MAPPER.treeToValue(settings.get("cors"), Route.Cors.class) : null,
                    settings.hasNonNull("throttle") ? Json.MAPPER.treeToValue(settings.get("throttle"), Route.Throttle.class) : null,
                    Instant.ofEpochMilli(rs.getLong("created_at")));
        } catch (IOException e) {
            throw new UncheckedIOException("route " + rs.getString("id") + " has unreadable settings", e);
        }
    }
}
