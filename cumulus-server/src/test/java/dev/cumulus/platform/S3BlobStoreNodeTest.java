package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.storage.S3BlobStore;
import dev.cumulus.testing.S3rver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * A node started with its blob store in an independent S3-compatible server (s3rver): objects put
 * through the node's S3 API, whole and in parts, land in that server's bucket and not under the
 * data dir, and a node started again on the same Store and bucket serves them (ADR 0031).
 */
class S3BlobStoreNodeTest {
    @TempDir
    Path dir;

    @Test
    void objectsLiveInTheSharedBucketAndOutliveTheNode() throws Exception {
        try (S3rver server = S3rver.start(dir.resolve("s3rver"), "shared-blobs")) {
            S3BlobStore.Settings settings = S3BlobStore.Settings.parse("s3://shared-blobs/cluster-a?endpoint="
                    + server.endpoint(), S3rver.credentials());
            byte[] big = new byte[6 * 1024 * 1024 + 17];
            new Random(3).nextBytes(big);
            byte[] tail = "the last part".getBytes(StandardCharsets.UTF_8);
            JsonNode key;
            try (TestNode node = new TestNode(dir.resolve("node"), c -> c.withStemCells(0).withBlobStore(settings))) {
                key = TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"blobs\"}"));
                try (S3Client s3 = S3SdkTest.client(key, node)) {
                    s3.createBucket(b -> b.bucket("photos"));
                    s3.putObject(b -> b.bucket("photos").key("small.txt").contentType("text/plain"),
                            RequestBody.fromString("hello, shared storage"));
                    String upload = s3.createMultipartUpload(b -> b.bucket("photos").key("big.bin")).uploadId();
                    List<CompletedPart> parts = new ArrayList<>();
                    parts.add(CompletedPart.builder().partNumber(1).eTag(s3.uploadPart(b -> b.bucket("photos")
                            .key("big.bin").uploadId(upload).partNumber(1), RequestBody.fromBytes(big)).eTag()).build());
                    parts.add(CompletedPart.builder().partNumber(2).eTag(s3.uploadPart(b -> b.bucket("photos")
                            .key("big.bin").uploadId(upload).partNumber(2), RequestBody.fromBytes(tail)).eTag()).build());
                    s3.completeMultipartUpload(b -> b.bucket("photos").key("big.bin").uploadId(upload)
                            .multipartUpload(m -> m.parts(parts)));
                }
                assertThat(filesUnder(dir.resolve("node/storage"))).as("no bytes under the data dir").isZero();
                // the small object and the joined one; the parts' blobs are deleted once joined
                assertThat(filesUnder(server.directory().resolve("shared-blobs/cluster-a"))).isEqualTo(2);
            }
            try (TestNode again = new TestNode(dir.resolve("node"), c -> c.withStemCells(0).withBlobStore(settings));
                    S3Client s3 = S3SdkTest.client(key, again)) {
                assertThat(s3.getObjectAsBytes(b -> b.bucket("photos").key("small.txt")).asUtf8String())
                        .isEqualTo("hello, shared storage");
                byte[] joined = s3.getObjectAsBytes(b -> b.bucket("photos").key("big.bin")).asByteArray();
                assertThat(joined).hasSize(big.length + tail.length);
                assertThat(java.util.Arrays.copyOfRange(joined, big.length, joined.length)).isEqualTo(tail);
                assertThat(java.util.Arrays.copyOf(joined, big.length)).isEqualTo(big);
                assertThat(s3.getObjectAsBytes(b -> b.bucket("photos").key("big.bin").range("bytes=100-109"))
                        .asByteArray()).isEqualTo(java.util.Arrays.copyOfRange(big, 100, 110));
            }
        }
    }

    /** Object files s3rver keeps (one {@code ._S3rver_object} per object), or any file under a dir. */
    static long filesUnder(Path root) throws Exception {
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().contains("._S3rver_") || f.getFileName().toString()
                            .endsWith("._S3rver_object"))
                    .count();
        }
    }
}
