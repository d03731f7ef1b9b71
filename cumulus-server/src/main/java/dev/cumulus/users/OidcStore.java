package dev.cumulus.users;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.cumulus.web.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rows of end users' OpenID Connect logins (V19): each project's providers, the logins in
 * flight and which user each provider subject is. Static, on the caller's connection or
 * transaction; every query names the project.
 */
final class OidcStore {
    private OidcStore() {}

    /** A provider as stored; its client secret still sealed. */
    record Provider(String project, String name, String issuer, String clientId, String sealedSecret,
            List<String> redirectUris, Instant createdAt, Instant updatedAt) {}

    /** A login in flight: what the callback and the app's redemption check. */
    record Login(String stateSha256, String project, String provider, String sealedSecrets, String bindingSha256,
            String callbackUri, String appRedirect, String appChallenge, Instant expiresAt, Instant usedAt,
            String userId, Instant resultUsedAt) {}

    // --- providers ---

    static void putProvider(Connection c, Provider p) throws SQLException {
        try (PreparedStatement u = c.prepareStatement("""
                UPDATE user_oidc_providers SET issuer = ?, client_id = ?, sealed_client_secret = ?, redirect_uris = ?,
                    updated_at = ? WHERE project = ? AND name = ?""")) {
            u.setString(1, p.issuer());
            u.setString(2, p.clientId());
            u.setString(3, p.sealedSecret());
            u.setString(4, new String(Json.write(p.redirectUris()), java.nio.charset.StandardCharsets.UTF_8));
            u.setLong(5, p.updatedAt().toEpochMilli());
            u.setString(6, p.project());
            u.setString(7, p.name());
            if (u.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO user_oidc_providers (project, name, issuer, client_id, sealed_client_secret, redirect_uris,
                    created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
            s.setString(1, p.project());
            s.setString(2, p.name());
            s.setString(3, p.issuer());
            s.setString(4, p.clientId());
            s.setString(5, p.sealedSecret());
            s.setString(6, new String(Json.write(p.redirectUris()), java.nio.charset.StandardCharsets.UTF_8));
            s.setLong(7, p.createdAt().toEpochMilli());
            s.setLong(8, p.updatedAt().toEpochMilli());
            s.executeUpdate();
        }
    }

    static Optional<Provider> provider(Connection c, String project, String name) throws SQLException {
        List<Provider> found = providers(c, project, name);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    /** The project's providers by name; only {@code name} when it is not null. */
    static List<Provider> providers(Connection c, String project, String name) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                SELECT project, name, issuer, client_id, sealed_client_secret, redirect_uris, created_at, updated_at
                FROM user_oidc_providers WHERE project = ?""" + (name == null ? "" : " AND name = ?") + " ORDER BY name")) {
            q.setString(1, project);
            if (name != null) {
                q.setString(2, name);
            }
            try (ResultSet rs = q.executeQuery()) {
                List<Provider> out = new ArrayList<>();
                while (rs.next()) {
                    List<String> uris;
                    try {
                        uris = Json.MAPPER.readValue(rs.getString(6), new TypeReference<List<String>>() {});
                    } catch (java.io.IOException e) {
                        throw new SQLException("redirect_uris of provider " + rs.getString(2) + " is not a JSON list", e);
                    }
                    out.add(new Provider(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), uris, Instant.ofEpochMilli(rs.getLong(7)), Instant.ofEpochMilli(rs.getLong(8))));
                }
                return out;
            }
        }
    }

    static boolean deleteProvider(Connection c, String project, String name) throws SQLException {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM user_oidc_providers WHERE project = ? AND name = ?")) {
            d.setString(1, project);
            d.setString(2, name);
            return d.executeUpdate() == 1;
        }
    }

    // --- logins in flight ---

    static void insertLogin(Connection c, Login l, Instant now) throws SQLException {
        // logins nobody finished are of no use once expired: each new one sweeps them
        try (PreparedStatement d = c.prepareStatement("DELETE FROM user_oidc_logins WHERE expires_at < ?")) {
            d.setLong(1, now.toEpochMilli());
            d.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO user_oidc_logins (state_sha256, project, provider, sealed_secrets, binding_sha256, callback_uri,
                    app_redirect, app_challenge, created_at, expires_at, used_at, user_id, result_sha256, result_used_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)""")) {
            s.setString(1, l.stateSha256());
            s.setString(2, l.project());
            s.setString(3, l.provider());
            s.setString(4, l.sealedSecrets());
            s.setString(5, l.bindingSha256());
            s.setString(6, l.callbackUri());
            s.setString(7, l.appRedirect());
            s.setString(8, l.appChallenge());
            s.setLong(9, now.toEpochMilli());
            s.setLong(10, l.expiresAt().toEpochMilli());
            s.executeUpdate();
        }
    }

    static Optional<Login> loginByState(Connection c, String project, String stateSha256) throws SQLException {
        return login(c, "state_sha256", project, stateSha256);
    }

    static Optional<Login> loginByResult(Connection c, String project, String resultSha256) throws SQLException {
        return login(c, "result_sha256", project, resultSha256);
    }

    private static Optional<Login> login(Connection c, String column, String project, String key) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                SELECT state_sha256, project, provider, sealed_secrets, binding_sha256, callback_uri, app_redirect,
                    app_challenge, expires_at, used_at, user_id, result_used_at
                FROM user_oidc_logins WHERE project = ?""" + " AND " + column + " = ?")) {
            q.setString(1, project);
            q.setString(2, key);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Login(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                        Instant.ofEpochMilli(rs.getLong(9)), instant(rs, 10), rs.getString(11), instant(rs, 12)));
            }
        }
    }

    /** Spends the login's state; false when it was spent already (a replayed callback). */
    static boolean spendState(Connection c, String stateSha256, Instant now) throws SQLException {
        return spend(c, "used_at", "state_sha256", stateSha256, now);
    }

    /** Records who logged in and the one-time result code the app redeems (until {@code expiresAt}). */
    static void finish(Connection c, String stateSha256, String userId, String resultSha256, Instant expiresAt)
            throws SQLException {
        try (PreparedStatement u = c.prepareStatement(
                "UPDATE user_oidc_logins SET user_id = ?, result_sha256 = ?, expires_at = ? WHERE state_sha256 = ?")) {
            u.setString(1, userId);
            u.setString(2, resultSha256);
            u.setLong(3, expiresAt.toEpochMilli());
            u.setString(4, stateSha256);
            u.executeUpdate();
        }
    }

    /** Spends the result code; false when it was spent already. */
    static boolean spendResult(Connection c, String resultSha256, Instant now) throws SQLException {
        return spend(c, "result_used_at", "result_sha256", resultSha256, now);
    }

    /** Sets {@code usedColumn} of the row whose {@code keyColumn} is {@code key} if it is not set yet. */
    private static boolean spend(Connection c, String usedColumn, String keyColumn, String key, Instant now)
            throws SQLException {
        try (PreparedStatement u = c.prepareStatement("UPDATE user_oidc_logins SET " + usedColumn + " = ? WHERE "
                + keyColumn + " = ? AND " + usedColumn + " IS NULL")) {
            u.setLong(1, now.toEpochMilli());
            u.setString(2, key);
            return u.executeUpdate() == 1;
        }
    }

    // --- identities ---

    static Optional<String> userOf(Connection c, String project, String provider, String subject) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(
                "SELECT user_id FROM user_identities WHERE project = ? AND provider = ? AND subject = ?")) {
            q.setString(1, project);
            q.setString(2, provider);
            q.setString(3, subject);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    static void link(Connection c, String project, String provider, String subject, String userId, Instant now)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO user_identities (project, provider, subject, user_id, created_at) VALUES (?, ?, ?, ?, ?)""")) {
            s.setString(1, project);
            s.setString(2, provider);
            s.setString(3, subject);
            s.setString(4, userId);
            s.setLong(5, now.toEpochMilli());
            s.executeUpdate();
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }
}
