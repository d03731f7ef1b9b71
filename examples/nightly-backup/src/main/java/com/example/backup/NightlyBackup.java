package com.example.backup;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;

/**
 * Copies the node's SQLite store into {@code cumulus-<tick>.db} in the backup directory and keeps
 * the newest {@code keep} copies. The store is granted read-only; {@code VACUUM INTO} writes a
 * consistent snapshot while the node keeps writing, and the copy is checked before it replaces
 * nothing: it appears under its final name only once complete.
 */
public class NightlyBackup implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        Path store = Path.of(env("STORE_DB", "/mnt/store/cumulus.db"));
        Path dir = Path.of(env("BACKUP_DIR", "/mnt/backups"));
        Map<String, Object> detail = event.get("detail") instanceof Map<?, ?> d ? (Map<String, Object>) d : Map.of();
        int keep = detail.get("keep") instanceof Number n ? Math.max(1, n.intValue()) : 7;
        // the tick's time, so a retried tick writes the same file instead of a second one
        Instant time = event.get("time") instanceof String t ? Instant.parse(t) : Instant.now();

        Path target = dir.resolve("cumulus-" + STAMP.format(time) + ".db");
        Path partial = dir.resolve(target.getFileName() + ".partial");
        try {
            Files.deleteIfExists(partial);
            snapshot(store, partial);
            check(partial);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            List<String> deleted = prune(dir, keep);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("backup", target.getFileName().toString());
            result.put("bytes", Files.size(target));
            result.put("deleted", deleted);
            System.out.println("backup " + target.getFileName() + " " + Files.size(target) + " bytes; deleted " + deleted);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("backup of " + store + " failed: " + e.getMessage(), e);
        }
    }

    private static void snapshot(Path store, Path into) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(30_000);
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + store, config.toProperties());
                PreparedStatement vacuum = db.prepareStatement("VACUUM INTO ?")) {
            vacuum.setString(1, into.toString());
            vacuum.execute();
        }
    }

    private static void check(Path copy) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + copy);
                Statement statement = db.createStatement();
                ResultSet rs = statement.executeQuery("PRAGMA integrity_check")) {
            String verdict = rs.next() ? rs.getString(1) : "no answer";
            if (!"ok".equals(verdict)) {
                throw new SQLException("the copy failed its integrity check: " + verdict);
            }
        }
    }

    private static List<String> prune(Path dir, int keep) throws IOException {
        List<Path> backups;
        try (Stream<Path> files = Files.list(dir)) {
            backups = files.filter(p -> p.getFileName().toString().matches("cumulus-\\d{8}T\\d{6}Z\\.db"))
                    .sorted().toList();
        }
        List<String> deleted = new ArrayList<>();
        for (int i = 0; i < backups.size() - keep; i++) {
            Files.delete(backups.get(i));
            deleted.add(backups.get(i).getFileName().toString());
        }
        return deleted;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
