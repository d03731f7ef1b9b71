package dev.cumulus.storage;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.cumulus.store.Database;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * The metadata of buckets, objects, multipart uploads and triggers in the Store (V14). Keys are
 * compared byte-wise on both databases ({@code COLLATE "C"} on PostgreSQL; SQLite's default is
 * binary), so listings come in S3's order whatever the database's collation.
 */
final class StorageStore {
    private final Database db;
    private final String collate;

    StorageStore(Database db) {
        this.db = db;
        this.collate = db.postgres() ? " COLLATE \"C\"" : "";
    }

    record Bucket(String project, String name, Instant createdAt, String cors) {}

    /** One object's metadata; {@code blob} names its bytes in the {@link BlobStore}. */
    record StoredObject(String key, long size, String etag, String contentType, Map<String, String> metadata,
            Instant createdAt, String blob) {}

    record Upload(String project, String bucket, String uploadId, String key, String contentType,
            Map<String, String> metadata, Instant createdAt) {}

    record Part(int number, long size, String etag, String blob, Instant createdAt) {}

    // --- buckets ---

    boolean createBucket(String project, String name, Instant now) {
        return db.inTransaction(c -> {
            if (bucket(c, project, name).isPresent()) {
                return false;
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO storage_buckets (project, name, created_at) VALUES (?, ?, ?)")) {
                insert.setString(1, project);
                insert.setString(2, name);
                insert.setLong(3, now.toEpochMilli());
                insert.executeUpdate();
                return true;
            }
        });
    }

    Optional<Bucket> bucket(String project, String name) {
        return db.withConnection(c -> bucket(c, project, name));
    }

    private static Optional<Bucket> bucket(Connection c, String project, String name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT created_at, cors FROM storage_buckets WHERE project = ? AND name = ?")) {
            select.setString(1, project);
            select.setString(2, name);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(new Bucket(project, name, Instant.ofEpochMilli(rs.getLong(1)),
                        rs.getString(2))) : Optional.empty();
            }
        }
    }

    /** The projects that have a bucket of this name. */
    List<String> projectsWithBucket(String name) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT project FROM storage_buckets WHERE name = ? ORDER BY project")) {
                select.setString(1, name);
                try (ResultSet rs = select.executeQuery()) {
                    List<String> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                    return out;
                }
            }
        });
    }

    List<Bucket> buckets(String project) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT name, created_at, cors FROM storage_buckets WHERE project = ? ORDER BY name")) {
                select.setString(1, project);
                try (ResultSet rs = select.executeQuery()) {
                    List<Bucket> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new Bucket(project, rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3)));
                    }
                    return out;
                }
            }
        });
    }

    enum DeleteBucket { DELETED, MISSING, NOT_EMPTY }

    DeleteBucket deleteBucket(String project, String name) {
        return db.inTransaction(c -> {
            if (bucket(c, project, name).isEmpty()) {
                return DeleteBucket.MISSING;
            }
            try (PreparedStatement any = c.prepareStatement(
                    "SELECT 1 FROM storage_objects WHERE project = ? AND bucket = ? LIMIT 1")) {
                any.setString(1, project);
                any.setString(2, name);
                try (ResultSet rs = any.executeQuery()) {
                    if (rs.next()) {
                        return DeleteBucket.NOT_EMPTY;
                    }
                }
            }
            for (String sql : List.of("DELETE FROM storage_triggers WHERE project = ? AND bucket = ?",
                    "DELETE FROM storage_buckets WHERE project = ? AND name = ?")) {
                try (PreparedStatement delete = c.prepareStatement(sql)) {
                    delete.setString(1, project);
                    delete.setString(2, name);
                    delete.executeUpdate();
                }
            }
            return DeleteBucket.DELETED;
        });
    }

    void setCors(String project, String name, String corsJson) {
        db.withConnection(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE storage_buckets SET cors = ? WHERE project = ? AND name = ?")) {
                update.setString(1, corsJson);
                update.setString(2, project);
                update.setString(3, name);
                return update.executeUpdate();
            }
        });
    }

    // --- objects ---

    /** Inserts or replaces an object's metadata; returns the blob it replaced, if any. */
    Optional<String> putObject(String project, String bucket, StoredObject o) {
        return db.inTransaction(c -> {
            Optional<StoredObject> old = object(c, project, bucket, o.key());
            if (old.isPresent()) {
                try (PreparedStatement delete = c.prepareStatement(
                        "DELETE FROM storage_objects WHERE project = ? AND bucket = ? AND object_key = ?")) {
                    delete.setString(1, project);
                    delete.setString(2, bucket);
                    delete.setString(3, o.key());
                    delete.executeUpdate();
                }
            }
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO storage_objects (project, bucket, object_key, size, etag, content_type, user_metadata,
                        created_at, blob) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                insert.setString(1, project);
                insert.setString(2, bucket);
                insert.setString(3, o.key());
                insert.setLong(4, o.size());
                insert.setString(5, o.etag());
                insert.setString(6, o.contentType());
                insert.setString(7, Json.MAPPER.writeValueAsString(o.metadata()));
                insert.setLong(8, o.createdAt().toEpochMilli());
                insert.setString(9, o.blob());
                insert.executeUpdate();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            return old.map(StoredObject::blob);
        });
    }

    Optional<StoredObject> object(String project, String bucket, String key) {
        return db.withConnection(c -> object(c, project, bucket, key));
    }

    private static Optional<StoredObject> object(Connection c, String project, String bucket, String key)
            throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT " + OBJECT_COLUMNS
                + " FROM storage_objects WHERE project = ? AND bucket = ? AND object_key = ?")) {
            select.setString(1, project);
            select.setString(2, bucket);
            select.setString(3, key);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(object(rs)) : Optional.empty();
            }
        }
    }

    /** Deletes an object's metadata; returns what it was. */
    Optional<StoredObject> deleteObject(String project, String bucket, String key) {
        return db.inTransaction(c -> {
            Optional<StoredObject> old = object(c, project, bucket, key);
            if (old.isPresent()) {
                try (PreparedStatement delete = c.prepareStatement(
                        "DELETE FROM storage_objects WHERE project = ? AND bucket = ? AND object_key = ?")) {
                    delete.setString(1, project);
                    delete.setString(2, bucket);
                    delete.setString(3, key);
                    delete.executeUpdate();
                }
            }
            return old;
        });
    }

    /** Up to {@code limit} objects with keys after {@code after} (byte order), from {@code from} on. */
    List<StoredObject> objectsAfter(String project, String bucket, String from, String after, int limit) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + OBJECT_COLUMNS
                    + " FROM storage_objects WHERE project = ? AND bucket = ? AND object_key" + collate + " >= ?"
                    + " AND object_key" + collate + " > ? ORDER BY object_key" + collate + " LIMIT ?")) {
                select.setString(1, project);
                select.setString(2, bucket);
                select.setString(3, from);
                select.setString(4, after);
                select.setInt(5, limit);
                try (ResultSet rs = select.executeQuery()) {
                    List<StoredObject> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(object(rs));
                    }
                    return out;
                }
            }
        });
    }

    private static final String OBJECT_COLUMNS =
            "object_key, size, etag, content_type, user_metadata, created_at, blob";

    private static StoredObject object(ResultSet rs) throws SQLException {
        return new StoredObject(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                metadata(rs.getString(5)), Instant.ofEpochMilli(rs.getLong(6)), rs.getString(7));
    }

    private static Map<String, String> metadata(String json) {
        try {
            return Json.MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether any object or part names {@code blob}, for sweeping blobs a crash orphaned. */
    boolean referenced(String blob) {
        return db.withConnection(c -> {
            for (String sql : List.of("SELECT 1 FROM storage_objects WHERE blob = ?",
                    "SELECT 1 FROM storage_parts WHERE blob = ?")) {
                try (PreparedStatement select = c.prepareStatement(sql)) {
                    select.setString(1, blob);
                    try (ResultSet rs = select.executeQuery()) {
                        if (rs.next()) {
                            return true;
                        }
                    }
                }
            }
            return false;
        });
    }

    // --- multipart uploads ---

    void createUpload(Upload u) {
        db.withConnection(c -> {
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO storage_uploads (project, bucket, upload_id, object_key, content_type, user_metadata,
                        created_at) VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
                insert.setString(1, u.project());
                insert.setString(2, u.bucket());
                insert.setString(3, u.uploadId());
                insert.setString(4, u.key());
                insert.setString(5, u.contentType());
                insert.setString(6, Json.MAPPER.writeValueAsString(u.metadata()));
                insert.setLong(7, u.createdAt().toEpochMilli());
                return insert.executeUpdate();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    Optional<Upload> upload(String project, String uploadId) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT bucket, object_key, content_type, user_metadata, created_at FROM storage_uploads
                    WHERE project = ? AND upload_id = ?""")) {
                select.setString(1, project);
                select.setString(2, uploadId);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(new Upload(project, rs.getString(1), uploadId, rs.getString(2),
                            rs.getString(3), metadata(rs.getString(4)), Instant.ofEpochMilli(rs.getLong(5))))
                            : Optional.empty();
                }
            }
        });
    }

    /** Records a part; returns the blob of the part it replaced, if any. */
    Optional<String> putPart(String project, String uploadId, Part p) {
        return db.inTransaction(c -> {
            Optional<String> old = Optional.empty();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT blob FROM storage_parts WHERE project = ? AND upload_id = ? AND part_number = ?")) {
                select.setString(1, project);
                select.setString(2, uploadId);
                select.setInt(3, p.number());
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) {
                        old = Optional.of(rs.getString(1));
                    }
                }
            }
            if (old.isPresent()) {
                try (PreparedStatement delete = c.prepareStatement(
                        "DELETE FROM storage_parts WHERE project = ? AND upload_id = ? AND part_number = ?")) {
                    delete.setString(1, project);
                    delete.setString(2, uploadId);
                    delete.setInt(3, p.number());
                    delete.executeUpdate();
                }
            }
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO storage_parts (project, upload_id, part_number, size, etag, blob, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
                insert.setString(1, project);
                insert.setString(2, uploadId);
                insert.setInt(3, p.number());
                insert.setLong(4, p.size());
                insert.setString(5, p.etag());
                insert.setString(6, p.blob());
                insert.setLong(7, p.createdAt().toEpochMilli());
                insert.executeUpdate();
            }
            return old;
        });
    }

    List<Part> parts(String project, String uploadId) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT part_number, size, etag, blob, created_at FROM storage_parts
                    WHERE project = ? AND upload_id = ? ORDER BY part_number""")) {
                select.setString(1, project);
                select.setString(2, uploadId);
                try (ResultSet rs = select.executeQuery()) {
                    List<Part> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new Part(rs.getInt(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                Instant.ofEpochMilli(rs.getLong(5))));
                    }
                    return out;
                }
            }
        });
    }

    /**
     * Ends an upload: its rows go, and with {@code result} non-null the object is put in the same
     * transaction. Returns the blobs no longer referenced (the parts, a replaced object's), or
     * empty when the upload was gone already.
     */
    Optional<List<String>> finishUpload(String project, String uploadId, String bucket, StoredObject result) {
        return db.inTransaction(c -> {
            List<String> freed = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT 1 FROM storage_uploads WHERE project = ? AND upload_id = ?")) {
                select.setString(1, project);
                select.setString(2, uploadId);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<List<String>>empty();
                    }
                }
            }
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT blob FROM storage_parts WHERE project = ? AND upload_id = ?")) {
                select.setString(1, project);
                select.setString(2, uploadId);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        freed.add(rs.getString(1));
                    }
                }
            }
            for (String sql : List.of("DELETE FROM storage_parts WHERE project = ? AND upload_id = ?",
                    "DELETE FROM storage_uploads WHERE project = ? AND upload_id = ?")) {
                try (PreparedStatement delete = c.prepareStatement(sql)) {
                    delete.setString(1, project);
                    delete.setString(2, uploadId);
                    delete.executeUpdate();
                }
            }
            if (result != null) {
                Optional<StoredObject> old = object(c, project, bucket, result.key());
                if (old.isPresent()) {
                    try (PreparedStatement delete = c.prepareStatement(
                            "DELETE FROM storage_objects WHERE project = ? AND bucket = ? AND object_key = ?")) {
                        delete.setString(1, project);
                        delete.setString(2, bucket);
                        delete.setString(3, result.key());
                        delete.executeUpdate();
                    }
                    freed.add(old.get().blob());
                }
                try (PreparedStatement insert = c.prepareStatement("""
                        INSERT INTO storage_objects (project, bucket, object_key, size, etag, content_type,
                            user_metadata, created_at, blob) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                    insert.setString(1, project);
                    insert.setString(2, bucket);
                    insert.setString(3, result.key());
                    insert.setLong(4, result.size());
                    insert.setString(5, result.etag());
                    insert.setString(6, result.contentType());
                    insert.setString(7, Json.MAPPER.writeValueAsString(result.metadata()));
                    insert.setLong(8, result.createdAt().toEpochMilli());
                    insert.setString(9, result.blob());
                    insert.executeUpdate();
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return Optional.of(freed);
        });
    }

    // --- triggers ---

    void replaceTriggers(String project, String bucket, List<Trigger> triggers, Instant now) {
        db.inTransaction(c -> {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM storage_triggers WHERE project = ? AND bucket = ?")) {
                delete.setString(1, project);
                delete.setString(2, bucket);
                delete.executeUpdate();
            }
            for (Trigger t : triggers) {
                try (PreparedStatement insert = c.prepareStatement("""
                        INSERT INTO storage_triggers (project, bucket, trigger_id, function_ref, events, prefix, suffix,
                            created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
                    insert.setString(1, project);
                    insert.setString(2, bucket);
                    insert.setString(3, t.id());
                    insert.setString(4, t.function());
                    insert.setString(5, String.join(",", t.events()));
                    insert.setString(6, t.prefix());
                    insert.setString(7, t.suffix());
                    insert.setLong(8, now.toEpochMilli());
                    insert.executeUpdate();
                }
            }
            return null;
        });
    }

    List<Trigger> triggers(String project, String bucket) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT trigger_id, function_ref, events, prefix, suffix FROM storage_triggers
                    WHERE project = ? AND bucket = ? ORDER BY trigger_id""")) {
                select.setString(1, project);
                select.setString(2, bucket);
                try (ResultSet rs = select.executeQuery()) {
                    List<Trigger> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new Trigger(rs.getString(1), rs.getString(2), List.of(rs.getString(3).split(",")),
                                rs.getString(4), rs.getString(5)));
                    }
                    return out;
                }
            }
        });
    }

    /** A trigger with its bucket: what names a function, for deleting it. */
    record BucketTrigger(String bucket, Trigger trigger) {}

    /** Every trigger of the project's buckets (a project has few; the caller filters by function). */
    List<BucketTrigger> triggers(String project) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT bucket, trigger_id, function_ref, events, prefix, suffix FROM storage_triggers
                    WHERE project = ? ORDER BY bucket, trigger_id""")) {
                select.setString(1, project);
                try (ResultSet rs = select.executeQuery()) {
                    List<BucketTrigger> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new BucketTrigger(rs.getString(1), new Trigger(rs.getString(2), rs.getString(3),
                                List.of(rs.getString(4).split(",")), rs.getString(5), rs.getString(6))));
                    }
                    return out;
                }
            }
        });
    }

    void deleteTrigger(String project, String bucket, String triggerId) {
        db.withConnection(c -> {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM storage_triggers WHERE project = ? AND bucket = ? AND trigger_id = ?")) {
                delete.setString(1, project);
                delete.setString(2, bucket);
                delete.setString(3, triggerId);
                return delete.executeUpdate();
            }
        });
    }

    // --- hop counts of storage-triggered invocations (V18) ---

    void rememberHops(String project, String requestId, int hops, Instant now) {
        db.withConnection(c -> {
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO storage_invocation_hops (project, request_id, hops, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (project, request_id) DO NOTHING""")) {
                insert.setString(1, project);
                insert.setString(2, requestId);
                insert.setInt(3, hops);
                insert.setLong(4, now.toEpochMilli());
                return insert.executeUpdate();
            }
        });
    }

    int hopsOf(String project, String requestId) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT hops FROM storage_invocation_hops WHERE project = ? AND request_id = ?")) {
                select.setString(1, project);
                select.setString(2, requestId);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : 0;
                }
            }
        });
    }

    int forgetHopsBefore(Instant cutoff) {
        return db.withConnection(c -> {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM storage_invocation_hops WHERE created_at < ?")) {
                delete.setLong(1, cutoff.toEpochMilli());
                return delete.executeUpdate();
            }
        });
    }
}
