package dev.cumulus.users;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The rows of end users' passkeys and their ceremonies' challenges (V19); every query names the project. */
final class PasskeyStore {
    private PasskeyStore() {}

    /** A stored passkey: {@code attestedData} is base64 of webauthn4j's attested credential data. */
    record Passkey(String project, String credentialId, String userId, String attestedData, long signCount,
            boolean backupEligible, boolean backupState) {}

    /** A challenge as issued: for whom ({@code userId}, registration only) and until when. */
    record Challenge(String project, String purpose, String userId, Instant expiresAt) {}

    static void insertChallenge(Connection c, String sha256, Challenge ch, Instant now) throws SQLException {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM user_passkey_challenges WHERE expires_at < ?")) {
            d.setLong(1, now.toEpochMilli());
            d.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO user_passkey_challenges (challenge_sha256, project, purpose, user_id, created_at, expires_at,
                    used_at) VALUES (?, ?, ?, ?, ?, ?, NULL)""")) {
            s.setString(1, sha256);
            s.setString(2, ch.project());
            s.setString(3, ch.purpose());
            s.setString(4, ch.userId());
            s.setLong(5, now.toEpochMilli());
            s.setLong(6, ch.expiresAt().toEpochMilli());
            s.executeUpdate();
        }
    }

    /** Spends the challenge and answers it, if it is the project's, unused and of {@code purpose}. */
    static Optional<Challenge> takeChallenge(Connection c, String project, String sha256, String purpose, Instant now)
            throws SQLException {
        Challenge found;
        try (PreparedStatement q = c.prepareStatement("""
                SELECT user_id, expires_at FROM user_passkey_challenges
                WHERE challenge_sha256 = ? AND project = ? AND purpose = ? AND used_at IS NULL""")) {
            q.setString(1, sha256);
            q.setString(2, project);
            q.setString(3, purpose);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                found = new Challenge(project, purpose, rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)));
            }
        }
        try (PreparedStatement u = c.prepareStatement(
                "UPDATE user_passkey_challenges SET used_at = ? WHERE challenge_sha256 = ? AND used_at IS NULL")) {
            u.setLong(1, now.toEpochMilli());
            u.setString(2, sha256);
            if (u.executeUpdate() != 1 || !found.expiresAt().isAfter(now)) {
                return Optional.empty();
            }
        }
        return Optional.of(found);
    }

    static void insert(Connection c, Passkey p, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO user_passkeys (project, credential_id, user_id, attested_data, sign_count, backup_eligible,
                    backup_state, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)""")) {
            s.setString(1, p.project());
            s.setString(2, p.credentialId());
            s.setString(3, p.userId());
            s.setString(4, p.attestedData());
            s.setLong(5, p.signCount());
            s.setInt(6, p.backupEligible() ? 1 : 0);
            s.setInt(7, p.backupState() ? 1 : 0);
            s.setLong(8, now.toEpochMilli());
            s.executeUpdate();
        }
    }

    static Optional<Passkey> byId(Connection c, String project, String credentialId) throws SQLException {
        List<Passkey> found = query(c, "credential_id", project, credentialId);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    static List<Passkey> ofUser(Connection c, String project, String userId) throws SQLException {
        return query(c, "user_id", project, userId);
    }

    private static List<Passkey> query(Connection c, String column, String project, String key) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                SELECT project, credential_id, user_id, attested_data, sign_count, backup_eligible, backup_state
                FROM user_passkeys WHERE project = ?""" + " AND " + column + " = ? ORDER BY created_at")) {
            q.setString(1, project);
            q.setString(2, key);
            try (ResultSet rs = q.executeQuery()) {
                List<Passkey> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Passkey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getLong(5), rs.getInt(6) == 1, rs.getInt(7) == 1));
                }
                return out;
            }
        }
    }

    /** Records a use: the authenticator's new counter and backup state. */
    static void used(Connection c, String project, String credentialId, long signCount, boolean backupState, Instant now)
            throws SQLException {
        try (PreparedStatement u = c.prepareStatement("""
                UPDATE user_passkeys SET sign_count = ?, backup_state = ?, last_used_at = ?
                WHERE project = ? AND credential_id = ?""")) {
            u.setLong(1, signCount);
            u.setInt(2, backupState ? 1 : 0);
            u.setLong(3, now.toEpochMilli());
            u.setString(4, project);
            u.setString(5, credentialId);
            u.executeUpdate();
        }
    }
}
