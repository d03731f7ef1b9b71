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

    /** A key as listed: never the secret. */
    public record Key(String accessKeyId, String description, Instant createdAt) {}

    /** A key just created: the only time the secret is seen. */
    public record Created(Key key, String secretAccessKey) {}

    private record Cached(String secret, Instant until) {}

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

    public Created create(String description) {
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
                    INSERT INTO access_keys (access_key_id, secret_sealed, description, created_at)
                    VALUES (?, ?, ?, ?)""")) {
                insert.setString(1, id);
                insert.setString(2, box.seal(secret, id));
                insert.setString(3, text);
                insert.setLong(4, now.toEpochMilli());
                return insert.executeUpdate();
            }
        });
        return new Created(new Key(id, text, now), secret);
    }

    public List<Key> list() {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT access_key_id, description, created_at FROM access_keys ORDER BY created_at, access_key_id");
                    ResultSet rs = select.executeQuery()) {
                List<Key> keys = new ArrayList<>();
                while (rs.next()) {
                    keys.add(new Key(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))));
                }
                return keys;
            }
        });
    }

    /** False if there was no such key. */
    public boolean delete(String accessKeyId) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM access_keys WHERE access_key_id = ?")) {
                    delete.setString(1, accessKeyId);
                    return delete.executeUpdate() > 0;
                }
            });
        } finally {
            cache.remove(accessKeyId);
        }
    }

    /** The secret of a key, for verifying a signature; empty for an unknown key. */
    public Optional<String> secret(String accessKeyId) {
        Instant now = clock.instant();
        Cached cached = cache.get(accessKeyId);
        if (cached != null && now.isBefore(cached.until())) {
            return Optional.of(cached.secret());
        }
        Optional<String> sealed = db.withConnection(c -> {
            try (PreparedStatement select =
                    c.prepareStatement("SELECT secret_sealed FROM access_keys WHERE access_key_id = ?")) {
                select.setString(1, accessKeyId);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
        if (sealed.isEmpty()) {
            cache.remove(accessKeyId);
            return Optional.empty();
        }
        try {
            String secret = box.open(sealed.get(), accessKeyId);
            cache.put(accessKeyId, new Cached(secret, now.plus(CACHE_FOR)));
            return Optional.of(secret);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // sealed under another node's key file, or tampered with: unusable, so unknown
            LOG.warn("access key {} cannot be opened with this node's access-keys.key", accessKeyId);
            return Optional.empty();
        }
    }

    private static String newId() {
        StringBuilder id = new StringBuilder(ID_PREFIX);
        for (int i = 0; i < 16; i++) {
            id.append(ID_ALPHABET[RANDOM.nextInt(ID_ALPHABET.length)]);
        }
        return id.toString();
    }
}
