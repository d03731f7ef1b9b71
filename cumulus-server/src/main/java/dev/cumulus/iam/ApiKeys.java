package dev.cumulus.iam;

import dev.cumulus.auth.SigV4;
import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Project API keys: bearer tokens {@code ck_<43 characters>} carrying 256 random bits. The token
 * is shown once, at creation; the Store keeps its SHA-256 only (no salt or stretching needed for
 * 256 random bits: there is no dictionary to try), so a copy of the database opens nothing. A key
 * is refused from its {@code expiresAt} on and from its revocation on; a revoked key stays listed.
 */
public final class ApiKeys {
    public static final String TOKEN_PREFIX = "ck_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String COLUMNS =
            "key_id, project, description, policies, created_at, expires_at, revoked_at";

    /** A key as listed and as the guard sees it: never the token. */
    public record ApiKey(String id, String project, String description, List<Policy> policies, Instant createdAt,
            Instant expiresAt, Instant revokedAt) {

        /** Usable at {@code now}: not revoked, not expired. */
        public boolean usableAt(Instant now) {
            return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
        }
    }

    /** A key just created: the only time its token is seen. */
    public record Created(ApiKey key, String token) {}

    private final Database db;
    private final Clock clock;
    private final TtlCache<String, ApiKey> byTokenHash;
    private final TtlCache<String, ApiKey> byId;

    public ApiKeys(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.byTokenHash = new TtlCache<>(clock);
        this.byId = new TtlCache<>(clock);
    }

    public Created create(String project, String description, List<Policy> policies, Instant expiresAt) {
        String text = IamNames.description(description);
        Instant now = Instant.ofEpochMilli(clock.millis());
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw ApiException.badRequest("InvalidParameter", "expiresAt must be in the future");
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        byte[] idBytes = new byte[8];
        RANDOM.nextBytes(idBytes);
        String id = "key-" + HexFormat.of().formatHex(idBytes);
        db.withConnection(c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO iam_api_keys (key_id, project, token_sha256, "
                    + "description, policies, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, project);
                insert.setString(3, hash(token));
                insert.setString(4, text);
                insert.setString(5, Policies.toJson(policies));
                insert.setLong(6, now.toEpochMilli());
                insert.setObject(7, expiresAt == null ? null : expiresAt.toEpochMilli(), java.sql.Types.BIGINT);
                return insert.executeUpdate();
            }
        });
        return new Created(new ApiKey(id, project, text, List.copyOf(policies), now, expiresAt, null), token);
    }

    public List<ApiKey> list(String project) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM iam_api_keys WHERE project = ? ORDER BY created_at, key_id")) {
                select.setString(1, project);
                try (ResultSet rs = select.executeQuery()) {
                    List<ApiKey> keys = new ArrayList<>();
                    while (rs.next()) {
                        keys.add(row(rs));
                    }
                    return keys;
                }
            }
        });
    }

    /**
     * Revokes a key of {@code project}: refused from now on, on this node at once and on others
     * within {@link TtlCache#TTL}.
     *
     * @throws ApiException 404 when the project has no such key (another project's key is "no such key" too)
     */
    public void revoke(String project, String keyId) {
        int changed = db.withConnection(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE iam_api_keys SET revoked_at = ? WHERE key_id = ? AND project = ? AND revoked_at IS NULL")) {
                update.setLong(1, clock.millis());
                update.setString(2, keyId);
                update.setString(3, project);
                return update.executeUpdate();
            }
        });
        byTokenHash.forgetAll();
        byId.forget(keyId);
        if (changed == 0) {
            throw ApiException.notFound("api key " + keyId + " does not exist in project " + project
                    + " (or is revoked already)");
        }
    }

    /** The key a bearer token names, usable or not; empty for an unknown token. */
    public Optional<ApiKey> byToken(String token) {
        if (!token.startsWith(TOKEN_PREFIX) || token.length() > 100) {
            return Optional.empty();
        }
        return byTokenHash.get(hash(token), h -> db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM iam_api_keys WHERE token_sha256 = ?")) {
                select.setString(1, h);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.<ApiKey>empty();
                }
            }
        }));
    }

    /** The key with this id, usable or not (through the short cache). */
    public Optional<ApiKey> byId(String keyId) {
        return byId.get(keyId, id -> db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM iam_api_keys WHERE key_id = ?")) {
                select.setString(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.<ApiKey>empty();
                }
            }
        }));
    }

    static String hash(String token) {
        return HexFormat.of().formatHex(SigV4.sha256(token.getBytes(StandardCharsets.UTF_8)));
    }

    private static ApiKey row(ResultSet rs) throws SQLException {
        return new ApiKey(rs.getString(1), rs.getString(2), rs.getString(3), Policies.fromJson(rs.getString(4)),
                Instant.ofEpochMilli(rs.getLong(5)), instant(rs, 6), instant(rs, 7));
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }
}
