package dev.cumulus.iam;

import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Projects, the tenant boundary (issue 11). A name is a DNS label (lower-case letters, digits and
 * inner hyphens, up to 63), so it can appear in host names and CRNs alike. {@code default} exists
 * from the first start and cannot be deleted.
 *
 * <p>A project is deleted only when it holds nothing: what it holds is counted by its
 * {@link Contents} (the IAM tables here; the lead adds functions, buckets... as they gain a
 * project), and a project with anything left answers 409 with the counts.
 */
public final class Projects {
    public static final String DEFAULT = "default";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    /** One kind of thing a project may hold, counted before the project is deleted. */
    public interface Contents {
        /** e.g. "functions" */
        String kind();

        long count(String project);
    }

    public record Project(String name, String description, Instant createdAt) {}

    private final Database db;
    private final Clock clock;
    private final List<Contents> contents = new ArrayList<>();
    private final TtlCache<String, Project> cache;

    public Projects(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.cache = new TtlCache<>(clock);
        for (String[] table : new String[][] {{"api keys", "iam_api_keys"}, {"admin users", "iam_users"},
                {"roles", "iam_roles"}, {"access keys", "access_keys"}}) {
            contents.add(tableContents(table[0], table[1]));
        }
    }

    /** Adds what else a project may hold; deleting a project asks every one. */
    public void holds(Contents more) {
        contents.add(more);
    }

    public static String validName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest("InvalidProjectName", "a project name is 1 to 63 lower-case letters, digits and "
                    + "inner hyphens (a DNS label): '" + name + "'");
        }
        return name;
    }

    public Project create(String name, String description) {
        validName(name);
        String text = IamNames.description(description);
        Instant now = Instant.ofEpochMilli(clock.millis());
        db.inTransaction(c -> {
            if (find(c, name).isPresent()) {
                throw ApiException.conflict("ProjectExists", "project " + name + " already exists");
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO iam_projects (project, description, created_at) VALUES (?, ?, ?)")) {
                insert.setString(1, name);
                insert.setString(2, text);
                insert.setLong(3, now.toEpochMilli());
                return insert.executeUpdate();
            }
        });
        cache.forget(name);
        return new Project(name, text, now);
    }

    public List<Project> list() {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT project, description, created_at FROM iam_projects ORDER BY project");
                    ResultSet rs = select.executeQuery()) {
                List<Project> all = new ArrayList<>();
                while (rs.next()) {
                    all.add(row(rs));
                }
                return all;
            }
        });
    }

    /** The project, if it exists (read through the guard's short cache). */
    public Optional<Project> get(String name) {
        return cache.get(name, n -> db.withConnection(c -> find(c, n)));
    }

    /**
     * Deletes an empty project.
     *
     * @throws ApiException 404 when it does not exist, 409 {@code ProjectNotEmpty} (with the counts
     *     as {@code contents}) when it holds anything, 400 for {@code default}
     */
    public void delete(String name) {
        if (name.equals(DEFAULT)) {
            throw ApiException.badRequest("InvalidParameter", "the default project cannot be deleted");
        }
        if (get(name).isEmpty()) {
            throw ApiException.notFound("project " + name + " does not exist");
        }
        Map<String, Object> held = new LinkedHashMap<>();
        for (Contents kind : contents) {
            long n = kind.count(name);
            if (n > 0) {
                held.put(kind.kind(), n);
            }
        }
        if (!held.isEmpty()) {
            throw new ApiException(409, "ProjectNotEmpty", "project " + name + " still holds " + held
                    + ": delete them first", Map.of("contents", held));
        }
        db.inTransaction(c -> {
            // revoked keys are kept for the audit log's sake, not as contents: they go with the project
            try (PreparedStatement revoked = c.prepareStatement(
                    "DELETE FROM iam_api_keys WHERE project = ? AND revoked_at IS NOT NULL");
                    PreparedStatement delete = c.prepareStatement("DELETE FROM iam_projects WHERE project = ?")) {
                revoked.setString(1, name);
                revoked.executeUpdate();
                delete.setString(1, name);
                return delete.executeUpdate();
            }
        });
        cache.forget(name);
    }

    private Contents tableContents(String kind, String table) {
        return new Contents() {
            @Override
            public String kind() {
                return kind;
            }

            @Override
            public long count(String project) {
                return db.withConnection(c -> {
                    // table is one of the constants above, never input
                    try (PreparedStatement count = c.prepareStatement(
                            "SELECT COUNT(*) FROM " + table + " WHERE project = ?"
                                    + (table.equals("iam_api_keys") ? " AND revoked_at IS NULL" : ""))) {
                        count.setString(1, project);
                        try (ResultSet rs = count.executeQuery()) {
                            rs.next();
                            return rs.getLong(1);
                        }
                    }
                });
            }
        };
    }

    private static Optional<Project> find(Connection c, String name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT project, description, created_at FROM iam_projects WHERE project = ?")) {
            select.setString(1, name);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static Project row(ResultSet rs) throws SQLException {
        return new Project(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)));
    }
}
