package dev.cumulus.users;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.cumulus.web.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The end users' tables (V15): users, refresh tokens, mailed one-time tokens and settings. Every
 * statement runs on the caller's connection, so a flow (sign-up and its verification mail) is one
 * transaction; every query names the project.
 */
final class UserStore {
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    /** One end user as stored; only this class makes them (from rows, or {@link #newUser}). */
    record User(String project, String id, String email, boolean emailVerified, String passwordHash,
            boolean disabled, Map<String, Object> claims, Instant createdAt, Instant updatedAt, long tokenGeneration) {

        boolean anonymous() {
            return email == null;
        }
    }

    static User newUser(String project, String id, String email, String passwordHash, Instant now) {
        return new User(project, id, email, false, passwordHash, false, Map.of(), now, now, 0);
    }

    /** A refresh token's row: which family it belongs to and whether it was used or revoked. */
    record Refresh(String project, String userId, String familyId, Instant expiresAt, Instant usedAt, Instant revokedAt) {}

    /** A mailed one-time token's row. */
    record MailToken(String project, String userId, String purpose, String newEmail, Instant expiresAt) {}

    private UserStore() {}

    // --- users ---

    static void insert(Connection c, User u) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO users (project, user_id, email, email_verified, password_hash, disabled, claims, created_at,
                    updated_at, token_generation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            s.setString(1, u.project());
            s.setString(2, u.id());
            s.setString(3, u.email());
            s.setInt(4, u.emailVerified() ? 1 : 0);
            s.setString(5, u.passwordHash());
            s.setInt(6, u.disabled() ? 1 : 0);
            s.setString(7, json(u.claims()));
            s.setLong(8, u.createdAt().toEpochMilli());
            s.setLong(9, u.updatedAt().toEpochMilli());
            s.setLong(10, u.tokenGeneration());
            s.executeUpdate();
        }
    }

    private static final String COLUMNS = "project, user_id, email, email_verified, password_hash, disabled, claims, "
            + "created_at, updated_at, token_generation";

    static Optional<User> byId(Connection c, String project, String id) throws SQLException {
        return one(c, "SELECT " + COLUMNS + " FROM users WHERE project = ? AND user_id = ?", project, id);
    }

    static Optional<User> byEmail(Connection c, String project, String email) throws SQLException {
        return one(c, "SELECT " + COLUMNS + " FROM users WHERE project = ? AND email = ?", project, email);
    }

    /** Users of the project by id, after {@code after} (null from the start). */
    static List<User> list(Connection c, String project, String after, int limit) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS
                + " FROM users WHERE project = ? AND user_id > ? ORDER BY user_id LIMIT ?")) {
            q.setString(1, project);
            q.setString(2, after == null ? "" : after);
            q.setInt(3, limit);
            return all(q);
        }
    }

    static long count(Connection c, String project) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM users WHERE project = ?")) {
            q.setString(1, project);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Optional<User> one(Connection c, String sql, String project, String key) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            q.setString(1, project);
            q.setString(2, key);
            List<User> found = all(q);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
        }
    }

    private static List<User> all(PreparedStatement q) throws SQLException {
        List<User> out = new ArrayList<>();
        try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                out.add(new User(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4) != 0, rs.getString(5),
                        rs.getInt(6) != 0, claims(rs.getString(7)), Instant.ofEpochMilli(rs.getLong(8)),
                        Instant.ofEpochMilli(rs.getLong(9)), rs.getLong(10)));
            }
        }
        return out;
    }

    /** Sets one column (a fixed name, never input) and the update time. */
    private static boolean set(Connection c, String project, String id, String assignment, Object value, Instant now)
            throws SQLException {
        try (PreparedStatement u = c.prepareStatement("UPDATE users SET " + assignment
                + ", updated_at = ? WHERE project = ? AND user_id = ?")) {
            u.setObject(1, value);
            u.setLong(2, now.toEpochMilli());
            u.setString(3, project);
            u.setString(4, id);
            return u.executeUpdate() == 1;
        }
    }

    static void markVerified(Connection c, String project, String id, Instant now) throws SQLException {
        set(c, project, id, "email_verified = ?", 1, now);
    }

    /** A new, verified address (the change was confirmed from it). */
    static void changeEmail(Connection c, String project, String id, String email, Instant now) throws SQLException {
        set(c, project, id, "email = ?", email, now);
        set(c, project, id, "email_verified = ?", 1, now);
    }

    /** Upgrades an anonymous user: an address (unverified) and a password. */
    static void upgrade(Connection c, String project, String id, String email, String hash, Instant now)
            throws SQLException {
        set(c, project, id, "email = ?", email, now);
        set(c, project, id, "password_hash = ?", hash, now);
    }

    /** A new password; every access token issued before it is refused. */
    static void setPassword(Connection c, String project, String id, String hash, Instant now) throws SQLException {
        set(c, project, id, "password_hash = ?", hash, now);
        bumpGeneration(c, project, id, now);
    }

    static boolean setDisabled(Connection c, String project, String id, boolean disabled, Instant now)
            throws SQLException {
        boolean found = set(c, project, id, "disabled = ?", disabled ? 1 : 0, now);
        if (found && disabled) {
            bumpGeneration(c, project, id, now);
        }
        return found;
    }

    static boolean setClaims(Connection c, String project, String id, Map<String, Object> claims, Instant now)
            throws SQLException {
        return set(c, project, id, "claims = ?", json(claims), now);
    }

    static void bumpGeneration(Connection c, String project, String id, Instant now) throws SQLException {
        try (PreparedStatement u = c.prepareStatement("""
                UPDATE users SET token_generation = token_generation + 1, updated_at = ? WHERE project = ? AND user_id = ?""")) {
            u.setLong(1, now.toEpochMilli());
            u.setString(2, project);
            u.setString(3, id);
            u.executeUpdate();
        }
    }

    /** Deletes the user and every token of theirs. */
    static boolean delete(Connection c, String project, String id) throws SQLException {
        for (String table : List.of("user_refresh_tokens", "user_mail_tokens", "user_identities",
                "user_passkeys")) {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM " + table + " WHERE project = ? AND user_id = ?")) {
                d.setString(1, project);
                d.setString(2, id);
                d.executeUpdate();
            }
        }
        try (PreparedStatement d = c.prepareStatement("DELETE FROM users WHERE project = ? AND user_id = ?")) {
            d.setString(1, project);
            d.setString(2, id);
            return d.executeUpdate() == 1;
        }
    }

    // --- refresh tokens ---

    static void insertRefresh(Connection c, String sha256, String project, String userId, String familyId, Instant now,
            Instant expiresAt) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO user_refresh_tokens (token_sha256, project, user_id, family_id, created_at, expires_at, used_at,
                    revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)""")) {
            s.setString(1, sha256);
            s.setString(2, project);
            s.setString(3, userId);
            s.setString(4, familyId);
            s.setLong(5, now.toEpochMilli());
            s.setLong(6, expiresAt.toEpochMilli());
            s.executeUpdate();
        }
    }

    static Optional<Refresh> refresh(Connection c, String project, String sha256) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                SELECT project, user_id, family_id, expires_at, used_at, revoked_at FROM user_refresh_tokens
                WHERE project = ? AND token_sha256 = ?""")) {
            q.setString(1, project);
            q.setString(2, sha256);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Refresh(rs.getString(1), rs.getString(2), rs.getString(3),
                        Instant.ofEpochMilli(rs.getLong(4)), instant(rs, 5), instant(rs, 6)));
            }
        }
    }

    /** Marks a token used; false when it was used or revoked meanwhile (a race with its replay). */
    static boolean markUsed(Connection c, String sha256, Instant now) throws SQLException {
        try (PreparedStatement u = c.prepareStatement("""
                UPDATE user_refresh_tokens SET used_at = ? WHERE token_sha256 = ? AND used_at IS NULL AND revoked_at IS NULL""")) {
            u.setLong(1, now.toEpochMilli());
            u.setString(2, sha256);
            return u.executeUpdate() == 1;
        }
    }

    static int revokeFamily(Connection c, String project, String familyId, Instant now) throws SQLException {
        try (PreparedStatement u = c.prepareStatement("""
                UPDATE user_refresh_tokens SET revoked_at = ? WHERE project = ? AND family_id = ? AND revoked_at IS NULL""")) {
            u.setLong(1, now.toEpochMilli());
            u.setString(2, project);
            u.setString(3, familyId);
            return u.executeUpdate();
        }
    }

    static void revokeAllOf(Connection c, String project, String userId, Instant now) throws SQLException {
        try (PreparedStatement u = c.prepareStatement("""
                UPDATE user_refresh_tokens SET revoked_at = ? WHERE project = ? AND user_id = ? AND revoked_at IS NULL""")) {
            u.setLong(1, now.toEpochMilli());
            u.setString(2, project);
            u.setString(3, userId);
            u.executeUpdate();
        }
    }

    // --- mailed one-time tokens ---

    static void insertMailToken(Connection c, String sha256, String project, String userId, String purpose,
            String newEmail, Instant now, Instant expiresAt) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO user_mail_tokens (token_sha256, project, user_id, purpose, new_email, created_at, expires_at,
                    used_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)""")) {
            s.setString(1, sha256);
            s.setString(2, project);
            s.setString(3, userId);
            s.setString(4, purpose);
            s.setString(5, newEmail);
            s.setLong(6, now.toEpochMilli());
            s.setLong(7, expiresAt.toEpochMilli());
            s.executeUpdate();
        }
    }

    /** Uses a token once: empty when it is unknown, of another purpose, used or expired. */
    static Optional<MailToken> takeMailToken(Connection c, String project, String sha256, String purpose, Instant now)
            throws SQLException {
        MailToken found;
        try (PreparedStatement q = c.prepareStatement("""
                SELECT project, user_id, purpose, new_email, expires_at FROM user_mail_tokens
                WHERE project = ? AND token_sha256 = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?""")) {
            q.setString(1, project);
            q.setString(2, sha256);
            q.setString(3, purpose);
            q.setLong(4, now.toEpochMilli());
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                found = new MailToken(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        Instant.ofEpochMilli(rs.getLong(5)));
            }
        }
        try (PreparedStatement u = c.prepareStatement(
                "UPDATE user_mail_tokens SET used_at = ? WHERE token_sha256 = ? AND used_at IS NULL")) {
            u.setLong(1, now.toEpochMilli());
            u.setString(2, sha256);
            return u.executeUpdate() == 1 ? Optional.of(found) : Optional.empty();
        }
    }

    // --- settings ---

    static Map<String, Object> settings(Connection c, String project) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT settings FROM user_settings WHERE project = ?")) {
            q.setString(1, project);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? claims(rs.getString(1)) : Map.of();
            }
        }
    }

    static void putSettings(Connection c, String project, Map<String, Object> settings, Instant now) throws SQLException {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM user_settings WHERE project = ?")) {
            d.setString(1, project);
            d.executeUpdate();
        }
        try (PreparedStatement i = c.prepareStatement(
                "INSERT INTO user_settings (project, settings, updated_at) VALUES (?, ?, ?)")) {
            i.setString(1, project);
            i.setString(2, json(settings));
            i.setLong(3, now.toEpochMilli());
            i.executeUpdate();
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }

    private static Map<String, Object> claims(String json) throws SQLException {
        try {
            return Json.MAPPER.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new SQLException("a stored JSON document does not parse", e);
        }
    }

    private static String json(Map<String, Object> value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
