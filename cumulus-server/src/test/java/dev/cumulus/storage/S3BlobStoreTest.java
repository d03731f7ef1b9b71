package dev.cumulus.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.store.TestDatabase;
import dev.cumulus.testing.S3rver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The storage contract with the bytes in an independent S3-compatible server (s3rver, its own
 * process), as nodes sharing their storage keep them
 * (ADR 0031); plus what only this store does: multipart writes of blobs beyond one part, streamed
 * in and out, and the settings {@code serve --blob-store} takes.
 */
class S3BlobStoreTest extends StorageContract {
    static final String BUCKET = "cumulus-blobs";
    static S3rver server;
    static Path serverDir;

    @BeforeAll
    static void startServer() throws IOException {
        serverDir = Files.createTempDirectory("s3rver-");
        server = S3rver.start(serverDir.resolve("data"), BUCKET);
    }

    @AfterAll
    static void stopServer() throws IOException {
        if (server != null) {
            server.close();
        }
        dev.cumulus.files.FileTrees.delete(serverDir);
    }

    @Override
    TestDatabase.Backend backend() {
        return TestDatabase.Backend.SQLITE;
    }

    /** Each test its own prefix, so counts of blobs are this test's; sweeps skip no blob for its age. */
    final String prefix = "node-" + UUID.randomUUID() + "/blobs";

    @Override
    BlobStore blobStore(Path dataDir) throws IOException {
        return S3BlobStore.open(settings(prefix), Clock.systemUTC(), Duration.ZERO);
    }

    static S3BlobStore.Settings settings(String prefix) {
        return S3BlobStore.Settings.parse("s3://" + BUCKET + "/" + prefix + "?endpoint=" + server.endpoint()
                + "&region=eu-west-1", S3rver.credentials());
    }

    /** A write is invisible until its PutObject or CompleteMultipartUpload succeeds: no debris. */
    @Override
    void leaveTempDebris() {
    }

    @Override
    long tempFiles() {
        return 0;
    }

    static InputStream random(long size, long seed) {
        Random random = new Random(seed);
        return new InputStream() {
            long left = size;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                byte[] chunk = new byte[n];
                random.nextBytes(chunk);
                System.arraycopy(chunk, 0, b, off, n);
                left -= n;
                return n;
            }
        };
    }

    static byte[] md5Of(InputStream in) throws Exception {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            md5.update(buffer, 0, n);
        }
        return md5.digest();
    }

    @Test
    void blobsBeyondOnePartGoUpInPartsAndComeBackWholeAndInRanges() throws Exception {
        long size = 2L * S3BlobStore.PART_BYTES + 12345;
        byte[] expected = md5Of(random(size, 7));
        BlobStore.Written written = blobs.write(random(size, 7), expected, size);
        assertThat(written.size()).isEqualTo(size);
        assertThat(written.md5()).isEqualTo(expected);
        try (InputStream in = blobs.read(written.id(), 0, size)) {
            assertThat(md5Of(in)).isEqualTo(expected);
        }
        byte[] all;
        try (InputStream in = random(size, 7)) {
            all = in.readAllBytes();
        }
        long offset = S3BlobStore.PART_BYTES - 10;
        try (InputStream in = blobs.read(written.id(), offset, 20)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(all, (int) offset, (int) offset + 20));
        }
        // concatenation (a completed multipart upload of storage) streams the parts into one blob
        BlobStore.Written joined = blobs.concat(java.util.List.of(written.id(), written.id()));
        assertThat(joined.size()).isEqualTo(2 * size);
        MessageDigest twice = MessageDigest.getInstance("MD5");
        twice.update(all);
        twice.update(all);
        assertThat(joined.md5()).isEqualTo(twice.digest());
        blobs.delete(joined.id());
        blobs.delete(written.id());
        assertThat(blobFiles()).isZero();
    }

    @Test
    void aWrongDigestOrTooManyBytesInAMultipartWriteLeaveNothing() throws IOException {
        long size = S3BlobStore.PART_BYTES + 1;
        assertThatThrownBy(() -> blobs.write(random(size, 1), new byte[16], size))
                .isInstanceOf(BlobStore.DigestMismatchException.class);
        assertThatThrownBy(() -> blobs.write(random(size, 1), null, size - 1))
                .isInstanceOf(BlobStore.TooLargeException.class);
        assertThatThrownBy(() -> blobs.write(random(100, 1), null, 99))
                .isInstanceOf(BlobStore.TooLargeException.class);
        assertThat(blobFiles()).isZero();
    }

    @Test
    void settingsNameTheBucketPrefixEndpointAndRegionAndNeedCredentials() throws IOException {
        Map<String, String> keys = S3rver.credentials();
        assertThat(S3BlobStore.Settings.parse("s3://blobs/cluster-a?region=eu-west-1", keys))
                .hasToString("s3://blobs/cluster-a/ at https://s3.eu-west-1.amazonaws.com");
        assertThat(S3BlobStore.Settings.parse("s3://blobs?endpoint=http://minio:9000", keys))
                .hasToString("s3://blobs/ at http://minio:9000");
        assertThatThrownBy(() -> S3BlobStore.Settings.parse("s3://blobs", Map.of()))
                .hasMessageContaining("AWS_ACCESS_KEY_ID");
        assertThatThrownBy(() -> S3BlobStore.Settings.parse("file:///tmp/x", keys)).hasMessageContaining("s3://BUCKET");
        assertThatThrownBy(() -> S3BlobStore.Settings.parse("s3://Bad_Bucket", keys)).hasMessageContaining("bucket name");
        assertThatThrownBy(() -> S3BlobStore.Settings.parse("s3://blobs?endpont=x", keys)).hasMessageContaining("endpont");
        assertThatThrownBy(() -> S3BlobStore.Settings.parse("s3://blobs?endpoint=ftp://x", keys))
                .hasMessageContaining("endpoint");
        // no fallback: a bucket that is not there, or credentials it refuses, stop the store from opening
        assertThatThrownBy(() -> S3BlobStore.open(S3BlobStore.Settings.parse("s3://no-such-bucket?endpoint="
                + server.endpoint(), keys), Clock.systemUTC(), Duration.ZERO)).hasMessageContaining("404");
        Map<String, String> wrong = new HashMap<>(keys);
        wrong.put("AWS_ACCESS_KEY_ID", "NOT-A-KEY-IT-KNOWS");
        assertThatThrownBy(() -> S3BlobStore.open(S3BlobStore.Settings.parse("s3://" + BUCKET + "?endpoint="
                + server.endpoint(), wrong), Clock.systemUTC(), Duration.ZERO)).hasMessageContaining("403");
    }
}
