package dev.cumulus.storage;

import dev.cumulus.errors.ApiException;
import dev.cumulus.storage.StorageStore.Bucket;
import dev.cumulus.storage.StorageStore.Part;
import dev.cumulus.storage.StorageStore.StoredObject;
import dev.cumulus.storage.StorageStore.Upload;
import dev.cumulus.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Object storage (issue 14, docs/storage.md): buckets of objects per project, the metadata in
 * the Store and the bytes in a {@link BlobStore}. An object becomes visible when its metadata
 * commits, which happens only after its blob is whole on disk; a blob it replaces is deleted
 * after that commit. Every change is announced through {@link StorageEvents} once committed.
 * Its errors carry S3's codes ({@code NoSuchBucket}, {@code BadDigest}, ...), which both the S3
 * API and the native API show.
 */
public final class Storage {
    private static final Logger LOG = LoggerFactory.getLogger(Storage.class);
    /** The largest single PUT, as S3's. */
    public static final long MAX_PUT_BYTES = 5L * 1024 * 1024 * 1024;
    /** Every part but the last is at least this large, as on S3. */
    static final long MIN_PART_BYTES = 5L * 1024 * 1024;
    static final int MAX_PARTS = 10_000;
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");
    private static final HexFormat HEX = HexFormat.of();

    private final StorageStore store;
    private final BlobStore blobs;
    private final StorageEvents events;
    private final Clock clock;

    Storage(StorageStore store, BlobStore blobs, StorageEvents events, Clock clock) {
        this.store = store;
        this.blobs = blobs;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Opens the node's storage: metadata in {@code db}, bytes under {@code <dataDir>/storage}.
     * Temp files of writes a crash interrupted are deleted, and blobs no metadata names swept.
     */
    public static Storage open(Database db, Path dataDir, StorageEvents events, Clock clock) throws IOException {
        return open(db, FileBlobStore.open(dataDir.resolve("storage")), events, clock);
    }

    /**
     * Opens storage with its bytes in {@code blobs} (a {@link FileBlobStore} or, for nodes sharing
     * their storage, an {@link S3BlobStore}); blobs no metadata names are swept.
     */
    public static Storage open(Database db, BlobStore blobs, StorageEvents events, Clock clock) throws IOException {
        StorageStore store = new StorageStore(db);
        int swept = blobs.sweep(store::referenced);
        if (swept > 0) {
            LOG.info("deleted {} storage blobs no object or part referenced (left by an interrupted write)", swept);
        }
        return new Storage(store, blobs, events, clock);
    }

    /**
     * The native API's routes ({@code /v1/storage/...}).
     *
     * @param invocationOf the invocation (request id) an execution token was minted for, empty
     *     for any other bearer credential: a function's writes continue its trigger chain
     */
    public List<dev.cumulus.web.Route> routes(java.util.function.Function<String, Optional<String>> invocationOf) {
        return new StorageMount(this, invocationOf).routes();
    }

    /**
     * The storage triggers that invoke a function, for deleting it (ADR 0017): a delete is refused
     * while a bucket's notification configuration names the function, and a cascade removes them.
     */
    public dev.cumulus.registry.FunctionDependents dependents() {
        return new dev.cumulus.registry.FunctionDependents() {
            @Override
            public List<Dependent> of(String project, String function) {
                return naming(project, function).stream().map(t -> new Dependent("storage-trigger",
                        t.bucket() + "/" + t.trigger().id(), t.trigger().id() + " of bucket " + t.bucket(),
                        t.trigger().function())).toList();
            }

            @Override
            public void remove(String project, String function) {
                for (StorageStore.BucketTrigger t : naming(project, function)) {
                    store.deleteTrigger(project, t.bucket(), t.trigger().id());
                }
            }
        };
    }

    private List<StorageStore.BucketTrigger> naming(String project, String function) {
        return store.triggers(project).stream()
                .filter(t -> dev.cumulus.registry.FunctionDependents.names(t.trigger().function(), function)).toList();
    }

    StorageEvents events() {
        return events;
    }

    // --- buckets ---

    /** S3's bucket naming rules. */
    static void requireBucketName(String name) {
        if (name == null || !BUCKET.matcher(name).matches() || name.contains("..") || name.contains(".-")
                || name.contains("-.") || IP.matcher(name).matches() || name.startsWith("xn--")
                || name.startsWith("sthree-") || name.endsWith("-s3alias") || name.endsWith("--ol-s3")) {
            throw new ApiException(400, "InvalidBucketName", "The specified bucket is not valid: bucket names are 3-63"
                    + " characters of lowercase letters, digits, dots and hyphens, begin and end with a letter or"
                    + " digit, and are not formatted as an IP address");
        }
    }

    static void requireKey(String key) {
        if (key == null || key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > 1024) {
            throw new ApiException(400, "KeyTooLongError", "an object key is 1 to 1024 bytes of UTF-8");
        }
    }

    public void createBucket(String project, String name) {
        requireBucketName(name);
        if (!store.createBucket(project, name, clock.instant())) {
            throw new ApiException(409, "BucketAlreadyOwnedByYou",
                    "Your previous request to create the named bucket succeeded and you already own it.");
        }
    }

    public List<Bucket> buckets(String project) {
        return store.buckets(project);
    }

    Bucket bucket(String project, String name) {
        requireBucketName(name);
        return store.bucket(project, name).orElseThrow(() -> noSuchBucket(name));
    }

    public void deleteBucket(String project, String name) {
        requireBucketName(name);
        switch (store.deleteBucket(project, name)) {
            case MISSING -> throw noSuchBucket(name);
            case NOT_EMPTY -> throw new ApiException(409, "BucketNotEmpty",
                    "The bucket you tried to delete is not empty");
            case DELETED -> { }
        }
    }

    static ApiException noSuchBucket(String name) {
        return new ApiException(404, "NoSuchBucket", "The specified bucket does not exist: " + name);
    }

    static ApiException noSuchKey(String key) {
        return new ApiException(404, "NoSuchKey", "The specified key does not exist: " + key);
    }

    // --- objects ---

    /** What a write is besides its bytes. */
    public record PutRequest(String contentType, Map<String, String> metadata, byte[] contentMd5, int hops) {}

    /** Streams {@code body} into {@code bucket/key}; visible once whole. */
    public StoredObject put(String project, String bucket, String key, InputStream body, PutRequest put) throws IOException {
        bucket(project, bucket);
        requireKey(key);
        BlobStore.Written written = write(body, put.contentMd5(), MAX_PUT_BYTES);
        StoredObject object = new StoredObject(key, written.size(), HEX.formatHex(written.md5()),
                contentType(put.contentType()), put.metadata(), clock.instant(), written.id());
        commit(project, bucket, object, "ObjectCreated:Put", put.hops());
        return object;
    }

    private BlobStore.Written write(InputStream body, byte[] md5, long max) throws IOException {
        try {
            return blobs.write(body, md5, max);
        } catch (BlobStore.DigestMismatchException e) {
            throw new ApiException(400, "BadDigest", e.getMessage());
        } catch (BlobStore.TooLargeException e) {
            throw new ApiException(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size of "
                    + max + " bytes");
        }
    }

    private void commit(String project, String bucket, StoredObject object, String eventName, int hops) throws IOException {
        Optional<String> replaced;
        try {
            replaced = store.putObject(project, bucket, object);
        } catch (RuntimeException e) {
            blobs.delete(object.blob());
            throw e;
        }
        if (replaced.isPresent()) {
            blobs.delete(replaced.get());
        }
        events.changed(project, bucket, object.key(), eventName, object.size(), object.etag(), hops);
    }

    private static String contentType(String given) {
        return given == null || given.isBlank() ? "binary/octet-stream" : given.strip();
    }

    public StoredObject head(String project, String bucket, String key) {
        bucket(project, bucket);
        requireKey(key);
        return store.object(project, bucket, key).orElseThrow(() -> noSuchKey(key));
    }

    /** The object's bytes from {@code offset}, {@code length} of them. */
    public InputStream read(StoredObject object, long offset, long length) throws IOException {
        return blobs.read(object.blob(), offset, length);
    }

    public StoredObject copy(String project, String fromBucket, String fromKey, String bucket, String key,
            PutRequest replace, int hops) throws IOException {
        StoredObject source = head(project, fromBucket, fromKey);
        bucket(project, bucket);
        requireKey(key);
        BlobStore.Written written;
        try (InputStream in = blobs.read(source.blob(), 0, source.size())) {
            written = write(in, null, Long.MAX_VALUE);
        }
        StoredObject object = new StoredObject(key, written.size(), source.etag().contains("-")
                ? HEX.formatHex(written.md5()) : source.etag(),
                replace == null ? source.contentType() : contentType(replace.contentType()),
                replace == null ? source.metadata() : replace.metadata(), clock.instant(), written.id());
        commit(project, bucket, object, "ObjectCreated:Copy", hops);
        return object;
    }

    /** Deletes an object; S3 answers the same whether it was there or not. */
    public void delete(String project, String bucket, String key, int hops) throws IOException {
        bucket(project, bucket);
        requireKey(key);
        Optional<StoredObject> gone = store.deleteObject(project, bucket, key);
        if (gone.isPresent()) {
            blobs.delete(gone.get().blob());
            events.changed(project, bucket, key, "ObjectRemoved:Delete", null, null, hops);
        }
    }

    /**
     * One page of a listing: objects, the common prefixes rolled up at the delimiter, and
     * {@code next}, the cursor the next page starts after (past every key of a rolled-up prefix).
     */
    public record Listing(List<StoredObject> objects, List<String> commonPrefixes, boolean truncated, String next) {}

    /**
     * Lists keys after {@code after} that start with {@code prefix}, rolling keys with
     * {@code delimiter} after the prefix up into common prefixes; at most {@code maxKeys} entries.
     */
    public Listing list(String project, String bucket, String prefix, String delimiter, String after, int maxKeys) {
        bucket(project, bucket);
        String p = prefix == null ? "" : prefix;
        String d = delimiter == null || delimiter.isEmpty() ? null : delimiter;
        String cursor = after == null ? "" : after;
        List<StoredObject> objects = new ArrayList<>();
        Set<String> prefixes = new LinkedHashSet<>();
        while (objects.size() + prefixes.size() < maxKeys) {
            List<StoredObject> batch = store.objectsAfter(project, bucket, p, cursor, 1000);
            if (batch.isEmpty()) {
                return new Listing(objects, List.copyOf(prefixes), false, null);
            }
            for (StoredObject o : batch) {
                if (!o.key().startsWith(p)) {
                    return new Listing(objects, List.copyOf(prefixes), false, null);
                }
                if (objects.size() + prefixes.size() >= maxKeys) {
                    return new Listing(objects, List.copyOf(prefixes), true, cursor);
                }
                int at = d == null ? -1 : o.key().indexOf(d, p.length());
                if (at >= 0) {
                    String common = o.key().substring(0, at + d.length());
                    prefixes.add(common);
                    // past every key under the common prefix: nothing sorts after U+10FFFF
                    cursor = common + new String(Character.toChars(Character.MAX_CODE_POINT));
                    break;
                }
                objects.add(o);
                cursor = o.key();
            }
        }
        // full: truncated only if something follows
        List<StoredObject> more = store.objectsAfter(project, bucket, p, cursor, 1);
        boolean truncated = !more.isEmpty() && more.getFirst().key().startsWith(p);
        return new Listing(objects, List.copyOf(prefixes), truncated, truncated ? cursor : null);
    }

    /** Where a listing resumes after {@code last} (a key or a common prefix). */
    static String resumeAfter(String last, String delimiter) {
        if (delimiter != null && !delimiter.isEmpty() && last.endsWith(delimiter)) {
            return last + new String(Character.toChars(Character.MAX_CODE_POINT));
        }
        return last;
    }

    // --- multipart uploads ---

    public Upload createUpload(String project, String bucket, String key, PutRequest put) {
        bucket(project, bucket);
        requireKey(key);
        Upload upload = new Upload(project, bucket, UUID.randomUUID().toString().replace("-", ""), key,
                contentType(put.contentType()), put.metadata(), clock.instant());
        store.createUpload(upload);
        return upload;
    }

    Upload upload(String project, String bucket, String key, String uploadId) {
        bucket(project, bucket);
        return store.upload(project, uploadId).filter(u -> u.bucket().equals(bucket) && u.key().equals(key))
                .orElseThrow(() -> new ApiException(404, "NoSuchUpload", "The specified multipart upload does not"
                        + " exist. The upload ID may be invalid, or the upload may have been aborted or completed."));
    }

    public Part uploadPart(String project, String bucket, String key, String uploadId, int number, InputStream body,
            byte[] contentMd5) throws IOException {
        if (number < 1 || number > MAX_PARTS) {
            throw new ApiException(400, "InvalidArgument", "Part number must be an integer between 1 and " + MAX_PARTS);
        }
        upload(project, bucket, key, uploadId);
        BlobStore.Written written = write(body, contentMd5, MAX_PUT_BYTES);
        Part part = new Part(number, written.size(), HEX.formatHex(written.md5()), written.id(), clock.instant());
        Optional<String> replaced;
        try {
            replaced = store.putPart(project, uploadId, part);
        } catch (RuntimeException e) {
            blobs.delete(written.id());
            throw e;
        }
        if (replaced.isPresent()) {
            blobs.delete(replaced.get());
        }
        return part;
    }

    public List<Part> parts(String project, String bucket, String key, String uploadId) {
        upload(project, bucket, key, uploadId);
        return store.parts(project, uploadId);
    }

    /** A part as the client names it in CompleteMultipartUpload. */
    public record PartRef(int number, String etag) {}

    /**
     * Joins the named parts into the object, whose ETag is S3's: the MD5 of the parts' MD5s,
     * {@code -} and the number of parts.
     */
    public StoredObject complete(String project, String bucket, String key, String uploadId, List<PartRef> refs,
            int hops) throws IOException {
        Upload upload = upload(project, bucket, key, uploadId);
        if (refs.isEmpty()) {
            throw new ApiException(400, "MalformedXML", "You must specify at least one part");
        }
        Map<Integer, Part> stored = new java.util.HashMap<>();
        for (Part p : store.parts(project, uploadId)) {
            stored.put(p.number(), p);
        }
        List<String> chosen = new ArrayList<>();
        List<Part> chosenParts = new ArrayList<>();
        MessageDigest md5s = FileBlobStore.md5();
        int previous = 0;
        for (PartRef ref : refs) {
            if (ref.number() <= previous) {
                throw new ApiException(400, "InvalidPartOrder", "The list of parts was not in ascending order.");
            }
            previous = ref.number();
        }
        for (int i = 0; i < refs.size(); i++) {
            PartRef ref = refs.get(i);
            Part part = stored.get(ref.number());
            if (part == null || !part.etag().equals(unquote(ref.etag()))) {
                throw new ApiException(400, "InvalidPart", "One or more of the specified parts could not be found:"
                        + " part " + ref.number());
            }
            chosenParts.add(part);
        }
        for (int i = 0; i < refs.size() - 1; i++) {
            Part part = chosenParts.get(i);
            if (part.size() < MIN_PART_BYTES) {
                throw new ApiException(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum"
                        + " allowed object size: part " + part.number() + " has " + part.size() + " bytes");
            }
        }
        for (Part part : chosenParts) {
            chosen.add(part.blob());
            md5s.update(HEX.parseHex(part.etag()));
        }
        BlobStore.Written joined = blobs.concat(chosen);
        StoredObject object = new StoredObject(key, joined.size(), HEX.formatHex(md5s.digest()) + "-" + refs.size(),
                upload.contentType(), upload.metadata(), clock.instant(), joined.id());
        Optional<List<String>> freed;
        try {
            freed = store.finishUpload(project, uploadId, bucket, object);
        } catch (RuntimeException e) {
            blobs.delete(joined.id());
            throw e;
        }
        if (freed.isEmpty()) {
            blobs.delete(joined.id());
            throw new ApiException(404, "NoSuchUpload", "The specified multipart upload does not exist.");
        }
        for (String blob : freed.get()) {
            blobs.delete(blob);
        }
        events.changed(project, bucket, key, "ObjectCreated:CompleteMultipartUpload", object.size(), object.etag(), hops);
        return object;
    }

    public void abort(String project, String bucket, String key, String uploadId) throws IOException {
        upload(project, bucket, key, uploadId);
        for (String blob : store.finishUpload(project, uploadId, bucket, null).orElse(List.of())) {
            blobs.delete(blob);
        }
    }

    static String unquote(String etag) {
        String e = etag == null ? "" : etag.strip();
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }

    // --- CORS and notifications ---

    /**
     * The project whose bucket a credential-less request (a browser's CORS preflight) means: the
     * one it names, else the only project with a bucket of that name; empty when that is unclear.
     */
    Optional<String> projectOfBucket(String requested, String bucket) {
        if (requested != null) {
            return Optional.of(requested);
        }
        List<String> projects = store.projectsWithBucket(bucket);
        return projects.size() == 1 ? Optional.of(projects.getFirst()) : Optional.empty();
    }

    /** The bucket's CORS rules, or empty when it has none. */
    public Optional<List<CorsRule>> cors(String project, String bucket) {
        String json = bucket(project, bucket).cors();
        return json == null ? Optional.empty() : Optional.of(CorsRule.fromJson(json));
    }

    public void setCors(String project, String bucket, List<CorsRule> rules) {
        bucket(project, bucket);
        store.setCors(project, bucket, rules == null ? null : CorsRule.toJson(rules));
    }

    List<Trigger> triggers(String project, String bucket) {
        bucket(project, bucket);
        return store.triggers(project, bucket);
    }

    void setTriggers(String project, String bucket, List<Trigger> triggers) {
        bucket(project, bucket);
        for (Trigger t : triggers) {
            events.requireFunction(project, t.function());
        }
        store.replaceTriggers(project, bucket, triggers, clock.instant());
    }

    static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Instant now() {
        return clock.instant();
    }
}
