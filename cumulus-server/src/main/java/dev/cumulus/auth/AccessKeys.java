package dev.cumulus.auth;

import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Access keys (id + secret) for AWS Signature Version 4, issued by the node. The secret is shown
 * once, at creation; the node keeps it sealed (see {@link SecretBox}) because verifying a
 * signature means recomputing it with the secret.
 */
public final class AccessKeys {
    private static final Logger LOG = LoggerFactory.getLogger(AccessKeys.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    /** Prefix of every id: AWS's long-term keys start with AKIA, Cumulus's with AKCM. */
    public static final String ID_PREFIX = "AKCM";
    // How long a verified key is trusted from memory: a key deleted on another node of a cluster
    // stops working here within this time.
    private static final Duration CACHE_FOR = Duration.ofSeconds(10);

    /**
     * A key as listed: never the secret.
     *
     * @param policies the JSON array of policy documents attached (dev.cumulus.iam.Policies)
     * @param expiresAt when it stops working, or null
     */
    public record Key(String accessKeyId, String project, String description, String policies, Instant createdAt,
            Instant expiresAt) {}

    /** A key just created: the only time the secret is seen. */
    public record Created(Key key, String secretAccessKey) {}

    private record Cached(String secret, Key key, Instant until) {}

    private static final String KEY_COLUMNS = "access_key_id, project, description, policies, created_at, expires_at";

    private final Database db;
    private final SecretBox box;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private AccessKeys(Database db, SecretBox box, Clock clock) {
        this.db = db;
        this.box = box;
        this.clock = clock;
    }

    public static AccessKeys open(Database db, Path dataDir, Clock clock) throws IOException {
        return new AccessKeys(db, SecretBox.loadOrCreate(dataDir), clock);
    }

    /** A key of project {@code default} with no policies (it may sign, but do nothing): for tests of signing. */
    public Created create(String description) {
        return create("default", description, "[]", null);
    }

    /**
     * Creates a key of {@code project}.
     *
     * @param policies the JSON array of policy documents attached, validated by the caller
     * @param expiresAt when the key stops working, or null for never
     */
    public Created create(String project, String description, String policies, Instant expiresAt) {
        String text = description == null ? "" : description;
        if (text.length() > 256) {
            throw ApiException.badRequest("InvalidParameter", "description is limited to 256 characters");
        }
        String id = newId();
        byte[] random = new byte[30];
        RANDOM.nextBytes(random);
        String secret = Base64.getEncoder().encodeToString(random); // 40 characters, as AWS's
        Instant now = Instant.ofEpochMilli(clock.millis());
        db.withConnection(c -> {
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO access_keys (access_key_id, secret_sealed, description, created_at, project, policies,
                        expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
                insert.setString(1, id);
                insert.setString(2, box.seal(secret, id));
                insert.setString(3, text);
                insert.setLong(4, now.toEpochMilli());
                insert.setString(5, project);
                insert.setString(6, policies);
                insert.setObject(7, expiresAt == null ? null : expiresAt.toEpochMilli(), java.sql.Types.BIGINT);
                return insert.executeUpdate();
            }
        });
        return new Created(new Key(id, project, text, policies, now, expiresAt), secret);
    }

    /** Every key of every project. */
    public List<Key> list() {
        return list(null);
    }

    /** The keys of {@code project} (every project's for null). */
    public List<Key> list(String project) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + KEY_COLUMNS + " FROM access_keys"
                    + (project == null ? "" : " WHERE project = ?") + " ORDER BY created_at, access_key_id")) {
                if (project != null) {
                    select.setString(1, project);
                }
                try (ResultSet rs = select.executeQuery()) {
                    List<Key> keys = new ArrayList<>();
                    while (rs.next()) {
                        keys.add(key(rs));
                    }
                    return keys;
                }
            }
        });
    }

    /** False if there was no such key. */
    public boolean delete(String accessKeyId) {
        return delete(null, accessKeyId);
    }

    /** False if {@code project} (any project for null) had no such key. */
    public boolean delete(String project, String accessKeyId) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM access_keys WHERE access_key_id = ?"
                        + (project == null ? "" : " AND project = ?"))) {
                    delete.setString(1, accessKeyId);
                    if (project != null) {
                        delete.setString(2, project);
                    }
                    return delete.executeUpdate() > 0;
                }
            });
        } finally {
            cache.remove(accessKeyId);
        }
    }

    /** The secret of a key, for verifying a signature; empty for an unknown or expired key. */
    public Optional<String> secret(String accessKeyId) {
        return usable(accessKeyId).map(Cached::secret);
    }

    /** A usable key (known, openable, not expired): its project and policies, for the guard. */
    public Optional<Key> key(String accessKeyId) {
        return usable(accessKeyId).map(Cached::key);
    }

    private Optional<Cached> usable(String accessKeyId) {
        Instant now = clock.instant();
        Cached cached = cache.get(accessKeyId);
        if (cached == null || !now.isBefore(cached.until())) {
            cached = load(accessKeyId, now);
        }
        Instant expiresAt = cached == null ? null : cached.key().expiresAt();
        return cached == null || expiresAt != null && !now.isBefore(expiresAt) ? Optional.empty() : Optional.of(cached);
    }

    private Cached load(String accessKeyId, Instant now) {
        record Row(String sealed, Key key) {}
        Optional<Row> row = db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT " + KEY_COLUMNS + ", secret_sealed FROM access_keys WHERE access_key_id = ?")) {
                select.setString(1, accessKeyId);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(new Row(rs.getString(7), key(rs))) : Optional.<Row>empty();
                }
            }
        });
        if (row.isEmpty()) {
            cache.remove(accessKeyId);
            return null;
        }
        try {
            String secret = box.open(row.get().sealed(), accessKeyId);
            Cached cached = new Cached(secret, row.get().key(), now.plus(CACHE_FOR));
            cache.put(accessKeyId, cached);
            return cached;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // sealed under another node's key file, or tampered with: unusable, so unknown
            LOG.warn("access key {} cannot be opened with this node's access-keys.key", accessKeyId);
            return null;
        }
    }

    private static Key key(ResultSet rs) throws java.sql.SQLException {
        long expires = rs.getLong(6);
        Instant expiresAt = rs.wasNull() ? null : Instant.ofEpochMilli(expires);
        return new Key(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                Instant.ofEpochMilli(rs.getLong(5)), expiresAt);
    }

    private static String newId() {
        StringBuilder id = new StringBuilder(ID_PREFIX);
        for (int i = 0; i < 16; i++) {
            id.append(ID_ALPHABET[RANDOM.nextInt(ID_ALPHABET.length)]);
        }
        return id.toString();
    }
}
