package dev.cumulus.iam;

import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Roles: named sets of policies within a project. A function names its role; the execution token
 * of each invocation carries the project and the role's name, and the guard looks the policies up
 * here on use, so a role's new policy applies to running functions too (within
 * {@link TtlCache#TTL} on other nodes). A token naming a role that does not exist may do nothing.
 */
public final class Roles {

    public record Role(String project, String name, String description, List<Policy> policies, Instant createdAt,
            Instant updatedAt) {}

    private record Key(String project, String name) {}

    private final Database db;
    private final Clock clock;
    private final TtlCache<Key, Role> cache;

    public Roles(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.cache = new TtlCache<>(clock);
    }

    public static String validName(String name) {
        return IamNames.principalName("role", name);
    }

    public Role create(String project, String name, String description, List<Policy> policies) {
        validName(name);
        String text = IamNames.description(description);
        Instant now = Instant.ofEpochMilli(clock.millis());
        db.inTransaction(c -> {
            if (find(c, project, name).isPresent()) {
                throw ApiException.conflict("RoleExists", "role " + name + " already exists in project " + project);
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO iam_roles (project, name, description, "
                    + "policies, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, project);
                insert.setString(2, name);
                insert.setString(3, text);
                insert.setString(4, Policies.toJson(policies));
                insert.setLong(5, now.toEpochMilli());
                insert.setLong(6, now.toEpochMilli());
                return insert.executeUpdate();
            }
        });
        cache.forget(new Key(project, name));
        return new Role(project, name, text, List.copyOf(policies), now, now);
    }

    /** Replaces a role's policies; 404 when the project has no such role. */
    public Role setPolicies(String project, String name, List<Policy> policies) {
        int changed = db.withConnection(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE iam_roles SET policies = ?, updated_at = ? WHERE project = ? AND name = ?")) {
                update.setString(1, Policies.toJson(policies));
                update.setLong(2, clock.millis());
                update.setString(3, project);
                update.setString(4, name);
                return update.executeUpdate();
            }
        });
        cache.forget(new Key(project, name));
        if (changed == 0) {
            throw ApiException.notFound("role " + name + " does not exist in project " + project);
        }
        return get(project, name).orElseThrow();
    }

    public List<Role> list(String project) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT project, name, description, policies, created_at, "
                    + "updated_at FROM iam_roles WHERE project = ? ORDER BY name")) {
                select.setString(1, project);
                try (ResultSet rs = select.executeQuery()) {
                    List<Role> roles = new ArrayList<>();
                    while (rs.next()) {
                        roles.add(row(rs));
                    }
                    return roles;
                }
            }
        });
    }

    /** The role (through the guard's short cache). */
    public Optional<Role> get(String project, String name) {
        return cache.get(new Key(project, name), k -> db.withConnection(c -> find(c, k.project(), k.name())));
    }

    public void delete(String project, String name) {
        int deleted = db.withConnection(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM iam_roles WHERE project = ? AND name = ?")) {
                delete.setString(1, project);
                delete.setString(2, name);
                return delete.executeUpdate();
            }
        });
        cache.forget(new Key(project, name));
        if (deleted == 0) {
            throw ApiException.notFound("role " + name + " does not exist in project " + project);
        }
    }

    private static Optional<Role> find(java.sql.Connection c, String project, String name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT project, name, description, policies, created_at, "
                + "updated_at FROM iam_roles WHERE project = ? AND name = ?")) {
            select.setString(1, project);
            select.setString(2, name);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static Role row(ResultSet rs) throws SQLException {
        return new Role(rs.getString(1), rs.getString(2), rs.getString(3), Policies.fromJson(rs.getString(4)),
                Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6)));
    }
}
