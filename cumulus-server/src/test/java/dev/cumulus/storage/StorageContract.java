package dev.cumulus.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.async.CloudEvent;
import dev.cumulus.async.TopicSink;
import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.storage.StorageStore.StoredObject;
import dev.cumulus.store.TestDatabase;
import dev.cumulus.testing.MutableClock;
import dev.cumulus.web.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Buckets, objects, listings, multipart uploads, crash safety and storage events on a real Store
 * and a real BlobStore; one subclass per Store backend and per BlobStore (files under the data
 * dir, or {@link S3BlobStoreTest}'s independent S3 server). The event bus and async invoker are
 * recorders: what is checked here is what storage hands them (node tests deliver for real).
 */
abstract class StorageContract {
    static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    @TempDir
    Path dir;

    TestDatabase test;
    MutableClock clock;
    Storage storage;
    BlobStore blobs;
    final List<AsyncInvoker.Event> submitted = new ArrayList<>();
    final List<String> published = new ArrayList<>();
    final List<String> audited = new ArrayList<>();
    final List<String> topics = new ArrayList<>();

    abstract TestDatabase.Backend backend();

    /** Where the bytes go: files under the node's data dir unless a subclass says otherwise. */
    BlobStore blobStore(Path dataDir) throws IOException {
        return FileBlobStore.open(dataDir.resolve("storage"));
    }

    /**
     * Leaves what a crash mid-write leaves behind (a file store's temp file); a blob store whose
     * writes are invisible until they complete leaves nothing there.
     */
    void leaveTempDebris() throws IOException {
        Files.write(dir.resolve("node/storage/tmp/0123456789abcdef0123456789abcdef-crashed"), new byte[4096]);
    }

    /** Writes in progress or left by a crash (the file store's temp files). */
    long tempFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("node/storage/tmp"))) {
            return files.count();
        }
    }

    @BeforeEach
    void open() throws IOException {
        test = TestDatabase.create(backend(), dir.resolve("data"));
        clock = new MutableClock(T0);
        storage = open(dir.resolve("node"));
    }

    Storage open(Path dataDir) throws IOException {
        TopicSink bus = new TopicSink() {
            @Override
            public boolean exists(String project, String topic) {
                return topics.contains(project + "/" + topic);
            }

            @Override
            public void publish(String project, String topic, CloudEvent event) {
                published.add(project + "/" + topic + " " + event.type() + " " + event.subject());
            }
        };
        AsyncInvoker async = event -> {
            submitted.add(event);
            return new AsyncInvoker.Accepted("r-" + submitted.size(), false);
        };
        StorageEvents events = new StorageEvents(test.db(), bus, async, (project, function) -> {
            if (function.startsWith("missing")) {
                throw ApiException.notFound("function " + function + " does not exist");
            }
        }, (project, bucket, key, hops) -> audited.add(project + " " + bucket + "/" + key + " " + hops), clock);
        blobs = blobStore(dataDir);
        return Storage.open(test.db(), blobs, events, clock);
    }

    @AfterEach
    void close() throws Exception {
        if (blobs instanceof AutoCloseable closeable) {
            closeable.close();
        }
        test.close();
    }

    static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    static Storage.PutRequest plain() {
        return new Storage.PutRequest("text/plain", Map.of(), null, 0);
    }

    String read(String project, String bucket, String key) throws IOException {
        StoredObject o = storage.head(project, bucket, key);
        try (InputStream in = storage.read(o, 0, o.size())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The blobs in the BlobStore, whatever it is (a sweep that keeps everything visits each). */
    long blobFiles() throws IOException {
        long[] count = {0};
        blobs.sweep(id -> {
            count[0]++;
            return true;
        });
        return count[0];
    }

    static String code(Throwable e) {
        return ((ApiException) e).code();
    }

    @Test
    void bucketsAreNamedAsS3ErsAndBelongToOneProject() {
        storage.createBucket("shop", "photos");
        storage.createBucket("other", "photos");
        assertThat(storage.buckets("shop")).extracting(StorageStore.Bucket::name).containsExactly("photos");
        assertThatThrownBy(() -> storage.createBucket("shop", "photos")).satisfies(e ->
                assertThat(code(e)).isEqualTo("BucketAlreadyOwnedByYou"));
        for (String bad : List.of("ab", "Photos", "under_score", "-start", "end-", "two..dots", "192.168.1.1",
                "xn--punycode", "a".repeat(64), "dot.-hyphen")) {
            assertThatThrownBy(() -> storage.createBucket("shop", bad)).as(bad).satisfies(e ->
                    assertThat(code(e)).isEqualTo("InvalidBucketName"));
        }
        storage.createBucket("shop", "my.bucket-2");
        storage.deleteBucket("other", "photos");
        assertThat(storage.buckets("other")).isEmpty();
        assertThat(storage.buckets("shop")).hasSize(2);
        assertThatThrownBy(() -> storage.deleteBucket("other", "photos")).satisfies(e ->
                assertThat(code(e)).isEqualTo("NoSuchBucket"));
    }

    @Test
    void objectsArePutReadOverwrittenAndDeletedWithTheirBlobs() throws IOException {
        storage.createBucket("shop", "docs");
        StoredObject put = storage.put("shop", "docs", "a/b.txt", bytes("first"),
                new Storage.PutRequest("text/plain", Map.of("owner", "ada"), null, 0));
        assertThat(put.etag()).isEqualTo(md5("first"));
        assertThat(read("shop", "docs", "a/b.txt")).isEqualTo("first");
        assertThat(storage.head("shop", "docs", "a/b.txt").metadata()).containsEntry("owner", "ada");
        assertThatThrownBy(() -> storage.head("other", "docs", "a/b.txt")).satisfies(e ->
                assertThat(code(e)).isEqualTo("NoSuchBucket"));
        storage.put("shop", "docs", "a/b.txt", bytes("second"), plain());
        assertThat(read("shop", "docs", "a/b.txt")).isEqualTo("second");
        assertThat(blobFiles()).as("the overwritten blob is deleted").isEqualTo(1);
        assertThatThrownBy(() -> storage.deleteBucket("shop", "docs")).satisfies(e ->
                assertThat(code(e)).isEqualTo("BucketNotEmpty"));
        storage.delete("shop", "docs", "a/b.txt", 0);
        assertThat(blobFiles()).isZero();
        assertThatThrownBy(() -> storage.head("shop", "docs", "a/b.txt")).satisfies(e ->
                assertThat(code(e)).isEqualTo("NoSuchKey"));
        storage.delete("shop", "docs", "a/b.txt", 0); // deleting what is gone is fine, as on S3
    }

    @Test
    void aWrongContentMd5WritesNothing() throws IOException {
        storage.createBucket("shop", "docs");
        byte[] wrong = HexFormat.of().parseHex(md5("something else"));
        assertThatThrownBy(() -> storage.put("shop", "docs", "k", bytes("payload"),
                new Storage.PutRequest(null, Map.of(), wrong, 0))).satisfies(e ->
                assertThat(code(e)).isEqualTo("BadDigest"));
        assertThat(blobFiles()).isZero();
        assertThat(tempFiles()).isZero();
        assertThat(storage.list("shop", "docs", null, null, null, 10).objects()).isEmpty();
        byte[] right = HexFormat.of().parseHex(md5("payload"));
        storage.put("shop", "docs", "k", bytes("payload"), new Storage.PutRequest(null, Map.of(), right, 0));
        assertThat(storage.head("shop", "docs", "k").contentType()).isEqualTo("binary/octet-stream");
    }

    @Test
    void listingsAreInByteOrderWithPrefixesDelimitersAndPages() throws IOException {
        storage.createBucket("shop", "list");
        // byte order: "B" < "a" < "b" < "é" whatever the database's collation says
        for (String key : List.of("a/1", "a/2", "a/x/3", "a/x/4", "a/y/5", "b", "B", "é", "a/z")) {
            storage.put("shop", "list", key, bytes(key), plain());
        }
        assertThat(storage.list("shop", "list", null, null, null, 1000).objects()).extracting(StoredObject::key)
                .containsExactly("B", "a/1", "a/2", "a/x/3", "a/x/4", "a/y/5", "a/z", "b", "é");
        Storage.Listing rolled = storage.list("shop", "list", "a/", "/", null, 1000);
        assertThat(rolled.objects()).extracting(StoredObject::key).containsExactly("a/1", "a/2", "a/z");
        assertThat(rolled.commonPrefixes()).containsExactly("a/x/", "a/y/");
        assertThat(rolled.truncated()).isFalse();

        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            Storage.Listing page = storage.list("shop", "list", "a/", "/", after, 2);
            page.objects().forEach(o -> seen.add(o.key()));
            seen.addAll(page.commonPrefixes());
            after = page.next();
            pages++;
            assertThat(page.truncated()).isEqualTo(after != null);
        } while (after != null);
        assertThat(seen).containsExactlyInAnyOrder("a/1", "a/2", "a/x/", "a/y/", "a/z");
        assertThat(pages).isEqualTo(3);
        assertThat(storage.list("shop", "list", "zzz", null, null, 10).objects()).isEmpty();
    }

    @Test
    void multipartUploadsJoinPartsWithS3sEtag() throws Exception {
        storage.createBucket("shop", "big");
        var upload = storage.createUpload("shop", "big", "joined.bin", plain());
        byte[] first = new byte[(int) Storage.MIN_PART_BYTES];
        java.util.Arrays.fill(first, (byte) 'x');
        StorageStore.Part p1 = storage.uploadPart("shop", "big", "joined.bin", upload.uploadId(), 1,
                new ByteArrayInputStream(first), null);
        StorageStore.Part p2 = storage.uploadPart("shop", "big", "joined.bin", upload.uploadId(), 2, bytes("tail"), null);
        assertThatThrownBy(() -> storage.complete("shop", "big", "joined.bin", upload.uploadId(),
                List.of(new Storage.PartRef(2, p2.etag()), new Storage.PartRef(1, p1.etag())), 0))
                .satisfies(e -> assertThat(code(e)).isEqualTo("InvalidPartOrder"));
        assertThatThrownBy(() -> storage.complete("shop", "big", "joined.bin", upload.uploadId(),
                List.of(new Storage.PartRef(1, "\"0000\""), new Storage.PartRef(2, p2.etag())), 0))
                .satisfies(e -> assertThat(code(e)).isEqualTo("InvalidPart"));
        assertThatThrownBy(() -> storage.complete("shop", "big", "joined.bin", upload.uploadId(),
                List.of(new Storage.PartRef(2, p2.etag()), new Storage.PartRef(3, p2.etag())), 0))
                .satisfies(e -> assertThat(code(e)).isEqualTo("InvalidPart"));
        StoredObject joined = storage.complete("shop", "big", "joined.bin", upload.uploadId(),
                List.of(new Storage.PartRef(1, "\"" + p1.etag() + "\""), new Storage.PartRef(2, p2.etag())), 0);
        MessageDigest md5s = MessageDigest.getInstance("MD5");
        md5s.update(HexFormat.of().parseHex(p1.etag()));
        md5s.update(HexFormat.of().parseHex(p2.etag()));
        assertThat(joined.etag()).isEqualTo(HexFormat.of().formatHex(md5s.digest()) + "-2");
        assertThat(joined.size()).isEqualTo(first.length + 4);
        assertThat(blobFiles()).as("the parts' blobs are gone, the object's is there").isEqualTo(1);
        assertThatThrownBy(() -> storage.parts("shop", "big", "joined.bin", upload.uploadId()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("NoSuchUpload"));

        var small = storage.createUpload("shop", "big", "small.bin", plain());
        StorageStore.Part s1 = storage.uploadPart("shop", "big", "small.bin", small.uploadId(), 1, bytes("tiny"), null);
        StorageStore.Part s2 = storage.uploadPart("shop", "big", "small.bin", small.uploadId(), 2, bytes("tail"), null);
        assertThatThrownBy(() -> storage.complete("shop", "big", "small.bin", small.uploadId(),
                List.of(new Storage.PartRef(1, s1.etag()), new Storage.PartRef(2, s2.etag())), 0))
                .satisfies(e -> assertThat(code(e)).isEqualTo("EntityTooSmall"));
        storage.abort("shop", "big", "small.bin", small.uploadId());
        assertThat(blobFiles()).isEqualTo(1);
    }

    /**
     * A crash mid-upload leaves a temp file; a crash between a blob's rename and its metadata's
     * commit leaves a blob nothing names. Neither is ever visible, and both are gone when storage
     * opens again; whole objects stay.
     */
    @Test
    void partialWritesAreInvisibleAndCleanedWhenStorageOpensAgain() throws IOException {
        storage.createBucket("shop", "safe");
        storage.put("shop", "safe", "whole.txt", bytes("whole"), plain());
        leaveTempDebris();
        // a blob whose metadata never committed
        String orphan = blobs.write(bytes("committed bytes, uncommitted metadata"), null, 1000).id();
        // an upload that fails half-way (the client goes away) leaves nothing either
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ > 100_000) {
                    throw new IOException("connection reset");
                }
                return 'x';
            }
        };
        assertThatThrownBy(() -> storage.put("shop", "safe", "half.txt", failing, plain())).isInstanceOf(IOException.class);
        assertThat(storage.list("shop", "safe", null, null, null, 10).objects()).extracting(StoredObject::key)
                .containsExactly("whole.txt");

        storage = open(dir.resolve("node"));
        assertThat(tempFiles()).isZero();
        assertThatThrownBy(() -> blobs.read(orphan, 0, 5).readAllBytes()).isInstanceOf(IOException.class);
        assertThat(blobFiles()).isEqualTo(1);
        assertThat(read("shop", "safe", "whole.txt")).isEqualTo("whole");
        assertThatThrownBy(() -> storage.head("shop", "safe", "half.txt")).satisfies(e ->
                assertThat(code(e)).isEqualTo("NoSuchKey"));
    }

    @Test
    void changesReachMatchingTriggersInS3sShapeAndTheBucketsTopic() throws IOException {
        storage.createBucket("shop", "media");
        storage.setTriggers("shop", "media", List.of(
                new Trigger("thumbs", "thumbnail", List.of("s3:ObjectCreated:*"), "uploads/", ".jpg"),
                new Trigger("audit", "auditor", List.of("s3:ObjectRemoved:*"), "", "")));
        assertThatThrownBy(() -> storage.setTriggers("shop", "media", List.of(
                new Trigger("x", "missing-fn", List.of("s3:ObjectCreated:*"), "", ""))))
                .satisfies(e -> assertThat(code(e)).isEqualTo("InvalidArgument"));
        assertThat(storage.triggers("shop", "media")).extracting(Trigger::id).containsExactly("audit", "thumbs");
        topics.add("shop/storage.media");

        storage.put("shop", "media", "uploads/cat.jpg", bytes("jpeg"), plain());
        storage.put("shop", "media", "uploads/cat.png", bytes("png"), plain());
        storage.put("shop", "media", "other/dog.jpg", bytes("jpeg"), plain());
        storage.copy("shop", "media", "other/dog.jpg", "media", "uploads/dog.jpg", null, 0);
        storage.delete("shop", "media", "uploads/cat.png", 0);

        assertThat(submitted).extracting(AsyncInvoker.Event::qualifiedName)
                .containsExactly("thumbnail", "thumbnail", "auditor");
        AsyncInvoker.Event first = submitted.getFirst();
        assertThat(first.project()).isEqualTo("shop");
        assertThat(first.type()).isEqualTo("dev.cumulus.storage.ObjectCreated:Put");
        assertThat(first.subject()).isEqualTo("uploads/cat.jpg");
        assertThat(first.idempotencyKey()).isEqualTo(first.eventId() + ":thumbs");
        JsonNode record = Json.MAPPER.readTree(first.payload()).get("Records").get(0);
        assertThat(record.get("eventName").asText()).isEqualTo("ObjectCreated:Put");
        assertThat(record.get("s3").get("bucket").get("name").asText()).isEqualTo("media");
        assertThat(record.get("s3").get("object").get("key").asText()).isEqualTo("uploads/cat.jpg");
        assertThat(record.get("s3").get("object").get("size").asLong()).isEqualTo(4);
        assertThat(record.get("responseElements").get("x-cumulus-storage-hops").asText()).isEqualTo("1");
        assertThat(Json.MAPPER.readTree(submitted.get(1).payload()).get("Records").get(0).get("eventName").asText())
                .isEqualTo("ObjectCreated:Copy");
        assertThat(published).containsExactly(
                "shop/storage.media dev.cumulus.storage.ObjectCreated:Put uploads/cat.jpg",
                "shop/storage.media dev.cumulus.storage.ObjectCreated:Put uploads/cat.png",
                "shop/storage.media dev.cumulus.storage.ObjectCreated:Put other/dog.jpg",
                "shop/storage.media dev.cumulus.storage.ObjectCreated:Copy uploads/dog.jpg",
                "shop/storage.media dev.cumulus.storage.ObjectRemoved:Delete uploads/cat.png");
    }

    @Test
    void triggersNamingAFunctionAreItsDependentsAndGoWithACascade() {
        storage.createBucket("shop", "media");
        storage.createBucket("shop", "docs");
        storage.createBucket("other", "media");
        storage.setTriggers("shop", "media", List.of(
                new Trigger("thumbs", "thumbnail", List.of("s3:ObjectCreated:*"), "uploads/", ""),
                new Trigger("pinned", "thumbnail:2", List.of("s3:ObjectCreated:*"), "v2/", ""),
                new Trigger("lookalike", "thumbnail-old", List.of("s3:ObjectCreated:*"), "", "")));
        storage.setTriggers("shop", "docs", List.of(new Trigger("index", "thumbnail", List.of("s3:ObjectRemoved:*"), "", "")));
        storage.setTriggers("other", "media", List.of(new Trigger("thumbs", "thumbnail", List.of("s3:ObjectCreated:*"), "", "")));
        var dependents = storage.dependents();
        assertThat(dependents.of("shop", "thumbnail")).extracting(d -> d.describe() + " -> " + d.function())
                .containsExactly("storage-trigger index of bucket docs -> thumbnail",
                        "storage-trigger pinned of bucket media -> thumbnail:2",
                        "storage-trigger thumbs of bucket media -> thumbnail");
        assertThat(dependents.of("shop", "thumbnail").getFirst().id()).isEqualTo("docs/index");
        dependents.remove("shop", "thumbnail");
        assertThat(dependents.of("shop", "thumbnail")).isEmpty();
        assertThat(storage.triggers("shop", "media")).extracting(Trigger::id).containsExactly("lookalike");
        assertThat(storage.triggers("shop", "docs")).isEmpty();
        assertThat(dependents.of("other", "thumbnail")).as("another project's trigger stays").hasSize(1);
    }

    @Test
    void aChainOfStorageTriggeredWritesStopsAtTheHopLimitAndIsAudited() throws IOException {
        storage.createBucket("shop", "loop");
        storage.setTriggers("shop", "loop", List.of(new Trigger("self", "writer", List.of("s3:ObjectCreated:*"), "", "")));
        storage.put("shop", "loop", "k", bytes("x"), new Storage.PutRequest(null, Map.of(), null,
                StorageEvents.MAX_HOPS - 1));
        assertThat(submitted).hasSize(1);
        assertThat(Json.MAPPER.readTree(submitted.getFirst().payload()).get("Records").get(0).get("responseElements")
                .get("x-cumulus-storage-hops").asText()).isEqualTo(Integer.toString(StorageEvents.MAX_HOPS));
        assertThat(audited).isEmpty();
        // the invocation that event started is at the limit: what it writes with its token continues from there
        assertThat(storage.events().hopsOf("shop", "r-1")).isEqualTo(StorageEvents.MAX_HOPS);
        assertThat(storage.events().hopsOf("shop", "some-other-request")).isZero();
        assertThat(storage.events().hopsOf("other", "r-1")).as("another project's invocation").isZero();
        // the count is in the Store: a restarted node (a retry of the event keeps its request id) still knows it
        storage = open(dir.resolve("node"));
        assertThat(storage.events().hopsOf("shop", "r-1")).isEqualTo(StorageEvents.MAX_HOPS);
        storage.put("shop", "loop", "k", bytes("y"), new Storage.PutRequest(null, Map.of(), null, StorageEvents.MAX_HOPS));
        assertThat(submitted).as("the chain is stopped: no further invocation").hasSize(1);
        assertThat(audited).containsExactly("shop loop/k " + StorageEvents.MAX_HOPS);
        assertThat(read("shop", "loop", "k")).as("the write itself stands").isEqualTo("y");
    }

    static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
