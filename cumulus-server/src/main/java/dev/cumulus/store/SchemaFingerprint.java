package dev.cumulus.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What lets a restart skip Flyway (ADR 0043): a SHA-256 of every migration resource the node
 * ships (names and contents, from every classpath root of the location), of the engine, the
 * placeholders and Flyway's version. After a successful migrate it is recorded in
 * {@value #TABLE} together with the highest {@code installed_rank} of {@code flyway_schema_history}
 * at that moment; a start whose fingerprint equals the recorded one, with the history unchanged
 * since, would find nothing to apply and nothing to complain about, so it need not configure
 * Flyway, scan the classpath and validate every checksum. Any added, removed, renamed or edited
 * migration, another engine, another Flyway, or any row Flyway (or another node's version of it)
 * wrote to the history since, and Flyway runs as before.
 */
final class SchemaFingerprint {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaFingerprint.class);
    static final String TABLE = "cumulus_schema_fingerprint";
    static final String LOCATION = "db/migration";

    private SchemaFingerprint() {}

    /**
     * The fingerprint of the migrations under {@code location} on {@code loader}'s classpath, or
     * empty when one of its roots is neither a directory nor a jar (then Flyway always runs).
     */
    static Optional<String> of(ClassLoader loader, String location, boolean postgres, Map<String, String> placeholders)
            throws IOException {
        TreeMap<String, byte[]> resources = new TreeMap<>();
        Enumeration<URL> roots = loader.getResources(location);
        while (roots.hasMoreElements()) {
            URL root = roots.nextElement();
            if (!collect(root, location, resources)) {
                return Optional.empty();
            }
        }
        MessageDigest digest = sha256();
        update(digest, "cumulus-schema-fingerprint/1");
        update(digest, postgres ? "postgresql" : "sqlite");
        update(digest, String.valueOf(org.flywaydb.core.Flyway.class.getPackage().getImplementationVersion()));
        new TreeMap<>(placeholders).forEach((key, value) -> {
            update(digest, key);
            update(digest, value);
        });
        resources.forEach((name, content) -> {
            update(digest, name);
            update(digest, String.valueOf(content.length));
            digest.update(content);
        });
        return Optional.of(HexFormat.of().formatHex(digest.digest()));
    }

    /** True when {@code fingerprint} is recorded and no migration has been recorded since. */
    static boolean matches(DataSource source, String fingerprint) {
        try (Connection c = source.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT f.fingerprint FROM " + TABLE + " f WHERE f.id = 1"
                        + " AND f.history_rank = (SELECT MAX(h.installed_rank) FROM flyway_schema_history h)")) {
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && fingerprint.equals(rs.getString(1));
            }
        } catch (SQLException e) {
            // no table yet (a new database, or one an older node migrated): Flyway decides
            return false;
        }
    }

    /**
     * Records {@code fingerprint} after a successful migrate. Best effort: when it cannot be
     * written (e.g. two nodes of a cluster creating the table at once) the next start runs
     * Flyway again, which is only slower.
     */
    static void record(DataSource source, String fingerprint) {
        try (Connection c = source.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id INTEGER PRIMARY KEY, "
                        + "fingerprint VARCHAR(64) NOT NULL, history_rank INTEGER NOT NULL)");
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement();
                    PreparedStatement insert = c.prepareStatement("INSERT INTO " + TABLE
                            + " (id, fingerprint, history_rank) SELECT 1, ?, MAX(installed_rank) FROM flyway_schema_history")) {
                s.executeUpdate("DELETE FROM " + TABLE);
                insert.setString(1, fingerprint);
                insert.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            LOG.debug("the schema fingerprint was not recorded; the next start runs Flyway again", e);
        }
    }

    private static boolean collect(URL root, String location, Map<String, byte[]> resources) throws IOException {
        switch (root.getProtocol()) {
            case "file" -> {
                Path dir;
                try {
                    dir = Path.of(root.toURI());
                } catch (URISyntaxException e) {
                    return false;
                }
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                        put(resources, location + "/" + dir.relativize(file).toString().replace('\\', '/'),
                                Files.readAllBytes(file));
                    }
                }
                return true;
            }
            case "jar" -> {
                URLConnection connection = root.openConnection();
                if (!(connection instanceof JarURLConnection jarConnection)) {
                    return false;
                }
                JarFile jar = jarConnection.getJarFile(); // cached by the JDK: not closed here
                String prefix = location + "/";
                for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                    JarEntry entry = entries.nextElement();
                    if (!entry.isDirectory() && entry.getName().startsWith(prefix)) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            put(resources, entry.getName(), in.readAllBytes());
                        }
                    }
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** The same name in two roots: Flyway would see both, so both count (the key says which is which). */
    private static void put(Map<String, byte[]> resources, String name, byte[] content) {
        String key = name;
        for (int n = 2; resources.containsKey(key); n++) {
            key = name + "#" + n;
        }
        resources.put(key, content);
    }

    private static void update(MessageDigest digest, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        digest.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
