package dev.cumulus.iam;

import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Admin users of a project: a name, an Argon2id password hash ({@link PasswordHash}) and
 * policies. Logging in gives a session bearer token {@code cs_...} valid for
 * {@link #SESSION_LIFETIME}; like API keys, only its SHA-256 is stored. Deleting a user ends its
 * sessions.
 */
public final class AdminUsers {
    public static final String SESSION_PREFIX = "cs_";
    public static final Duration SESSION_LIFETIME = Duration.ofHours(1);
    static final int MIN_PASSWORD = 12;
    static final int MAX_PASSWORD = 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Verified against when the user does not exist, so a wrong name costs what a wrong password does. */
    private static final String DUMMY_HASH = PasswordHash.unmatchable();

    public record User(String project, String name, List<Policy> policies, Instant createdAt) {}

    /** A session just opened: the only time its token is seen. */
    public record Session(String token, User user, Instant expiresAt) {}

    private final Database db;
    private final Clock clock;
    private final TtlCache<String, LiveSession> sessions;

    public AdminUsers(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.sessions = new TtlCache<>(clock);
    }

    public static String validName(String name) {
        return IamNames.principalName("user", name);
    }

    public User create(String project, String name, String password, List<Policy> policies) {
        validName(name);
        if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw ApiException.badRequest("InvalidParameter",
                    "password must be " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
        }
        Instant now = Instant.ofEpochMilli(clock.millis());
        String hash = PasswordHash.hash(password);
        db.inTransaction(c -> {
            if (find(c, project, name).isPresent()) {
                throw ApiException.conflict("UserExists", "user " + name + " already exists in project " + project);
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO iam_users (project, name, password_hash, "
                    + "policies, created_at) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, project);
                insert.setString(2, name);
                insert.setString(3, hash);
                insert.setString(4, Policies.toJson(policies));
                insert.setLong(5, now.toEpochMilli());
                return insert.executeUpdate();
            }
        });
        return new User(project, name, List.copyOf(policies), now);
    }

    public List<User> list(String project) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT project, name, policies, created_at FROM iam_users WHERE project = ? ORDER BY name")) {
                select.setString(1, project);
                try (ResultSet rs = select.executeQuery()) {
                    List<User> users = new ArrayList<>();
                    while (rs.next()) {
                        users.add(row(rs));
                    }
                    return users;
                }
            }
        });
    }

    /** The user (read from the Store: users change rarely and are looked up per session through the cache). */
    public Optional<User> get(String project, String name) {
        return db.withConnection(c -> find(c, project, name));
    }

    /** Deletes the user and its sessions; 404 when the project has no such user. */
    public void delete(String project, String name) {
        int deleted = db.inTransaction(c -> {
            try (PreparedStatement sessionsOf = c.prepareStatement(
                    "DELETE FROM iam_sessions WHERE project = ? AND user_name = ?");
                    PreparedStatement user = c.prepareStatement("DELETE FROM iam_users WHERE project = ? AND name = ?")) {
                sessionsOf.setString(1, project);
                sessionsOf.setString(2, name);
                sessionsOf.executeUpdate();
                user.setString(1, project);
                user.setString(2, name);
                return user.executeUpdate();
            }
        });
        sessions.forgetAll();
        if (deleted == 0) {
            throw ApiException.notFound("user " + name + " does not exist in project " + project);
        }
    }

    /**
     * Checks a password and opens a session.
     *
     * @return empty for an unknown user or a wrong password (alike, in time too)
     */
    public Optional<Session> login(String project, String name, String password) {
        if (password == null || password.length() > MAX_PASSWORD || name == null || !IamNames.matches(name)) {
            return Optional.empty();
        }
        Optional<String[]> stored = db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT password_hash FROM iam_users WHERE project = ? AND name = ?")) {
                select.setString(1, project);
                select.setString(2, name);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(new String[] {rs.getString(1)}) : Optional.<String[]>empty();
                }
            }
        });
        boolean ok = PasswordHash.verify(password, stored.map(s -> s[0]).orElse(DUMMY_HASH));
        if (!ok || stored.isEmpty()) {
            return Optional.empty();
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String token = SESSION_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Instant now = Instant.ofEpochMilli(clock.millis());
        Instant expires = now.plus(SESSION_LIFETIME);
        db.withConnection(c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO iam_sessions (token_sha256, project, "
                    + "user_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, ApiKeys.hash(token));
                insert.setString(2, project);
                insert.setString(3, name);
                insert.setLong(4, now.toEpochMilli());
                insert.setLong(5, expires.toEpochMilli());
                return insert.executeUpdate();
            }
        });
        return Optional.of(new Session(token, session(token).orElseThrow(), expires));
    }

    /** The user a live session token stands for; empty when unknown or expired. */
    public Optional<User> session(String token) {
        if (!token.startsWith(SESSION_PREFIX) || token.length() > 100) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        // cached with its expiry, so a session ending within the cache's time still ends on time
        return sessions.get(ApiKeys.hash(token), h -> db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT u.project, u.name, u.policies, u.created_at, s.expires_at
                    FROM iam_sessions s JOIN iam_users u ON u.project = s.project AND u.name = s.user_name
                    WHERE s.token_sha256 = ?""")) {
                select.setString(1, h);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(new LiveSession(row(rs), Instant.ofEpochMilli(rs.getLong(5))))
                            : Optional.<LiveSession>empty();
                }
            }
        })).filter(s -> now.isBefore(s.expiresAt())).map(LiveSession::user);
    }

    private record LiveSession(User user, Instant expiresAt) {}

    private static Optional<User> find(java.sql.Connection c, String project, String name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT project, name, policies, created_at FROM iam_users WHERE project = ? AND name = ?")) {
            select.setString(1, project);
            select.setString(2, name);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static User row(ResultSet rs) throws SQLException {
        return new User(rs.getString(1), rs.getString(2), Policies.fromJson(rs.getString(3)),
                Instant.ofEpochMilli(rs.getLong(4)));
    }
}
