package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.auth.SigV4;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Flexible checksums sent as plain headers ({@code x-amz-checksum-crc32: <base64>} and the
 * others) on PutObject and UploadPart are verified over the bytes: a right one stores, a wrong one
 * is {@code BadDigest} and stores nothing, CRC64NVME (not computed here) and two at once are
 * refused rather than left unchecked.
 */
class S3HeaderChecksumTest {
    private static final String BODY = "hello";

    @TempDir
    static Path dir;

    static TestNode node;
    static JsonNode key;
    static S3Client s3;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dir.resolve("node"), c -> c.withStemCells(0));
        key = TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"checksums\"}"));
        s3 = S3SdkTest.client(key, node);
        s3.createBucket(b -> b.bucket("sums"));
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void eachChecksumHeaderIsVerifiedOnPutObject() throws Exception {
        Map<String, String> right = Map.of(
                "x-amz-checksum-crc32", S3TrailingChecksumTest.crc32(BODY),
                "x-amz-checksum-crc32c", crc32c(BODY),
                "x-amz-checksum-sha1", digest("SHA-1", BODY),
                "x-amz-checksum-sha256", digest("SHA-256", BODY));
        Map<String, String> wrong = Map.of(
                "x-amz-checksum-crc32", S3TrailingChecksumTest.crc32("other"),
                "x-amz-checksum-crc32c", crc32c("other"),
                "x-amz-checksum-sha1", digest("SHA-1", "other"),
                "x-amz-checksum-sha256", digest("SHA-256", "other"));
        for (var header : right.entrySet()) {
            String name = header.getKey().substring("x-amz-checksum-".length());
            HttpResponse<String> ok = put("/s3/sums/ok-" + name, Map.of(header.getKey(), header.getValue()));
            assertThat(ok.statusCode()).as(header + ": " + ok.body()).isEqualTo(200);
            assertThat(s3.getObjectAsBytes(b -> b.bucket("sums").key("ok-" + name)).asUtf8String()).isEqualTo(BODY);

            HttpResponse<String> refused = put("/s3/sums/bad-" + name, Map.of(header.getKey(), wrong.get(header.getKey())));
            assertThat(refused.statusCode()).as(header + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.body()).contains("<Code>BadDigest</Code>");
            assertThatThrownBy(() -> s3.headObject(b -> b.bucket("sums").key("bad-" + name)))
                    .isInstanceOf(NoSuchKeyException.class);
        }
    }

    @Test
    void crc64nvmeAndTwoChecksumsAreRefusedAndStoreNothing() throws Exception {
        HttpResponse<String> nvme = put("/s3/sums/nvme", Map.of("x-amz-checksum-crc64nvme", "AAAAAAAAAAA="));
        assertThat(nvme.statusCode()).as(nvme.body()).isEqualTo(400);
        assertThat(nvme.body()).contains("<Code>InvalidRequest</Code>").contains("crc64nvme");
        HttpResponse<String> two = put("/s3/sums/two", Map.of("x-amz-checksum-crc32", S3TrailingChecksumTest.crc32(BODY),
                "x-amz-checksum-sha1", digest("SHA-1", BODY)));
        assertThat(two.statusCode()).as(two.body()).isEqualTo(400);
        assertThat(two.body()).contains("<Code>InvalidRequest</Code>");
        for (String k : new String[] {"nvme", "two"}) {
            assertThatThrownBy(() -> s3.headObject(b -> b.bucket("sums").key(k))).isInstanceOf(NoSuchKeyException.class);
        }
    }

    @Test
    void aChecksumHeaderIsVerifiedOnUploadPart() throws Exception {
        String uploadId = s3.createMultipartUpload(b -> b.bucket("sums").key("parts")).uploadId();
        HttpResponse<String> wrong = put("/s3/sums/parts?partNumber=1&uploadId=" + uploadId,
                Map.of("x-amz-checksum-crc32", S3TrailingChecksumTest.crc32("other")));
        assertThat(wrong.statusCode()).as(wrong.body()).isEqualTo(400);
        assertThat(wrong.body()).contains("<Code>BadDigest</Code>");
        assertThat(s3.listParts(b -> b.bucket("sums").key("parts").uploadId(uploadId)).parts()).isEmpty();
        HttpResponse<String> ok = put("/s3/sums/parts?partNumber=1&uploadId=" + uploadId,
                Map.of("x-amz-checksum-crc32", S3TrailingChecksumTest.crc32(BODY)));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(s3.listParts(b -> b.bucket("sums").key("parts").uploadId(uploadId)).parts()).hasSize(1);
    }

    @Test
    void theSdksPrecomputedChecksumIsVerifiedToo() {
        s3.putObject(b -> b.bucket("sums").key("sdk-ok").checksumCRC32C(crc32c(BODY)), RequestBody.fromString(BODY));
        assertThat(s3.getObjectAsBytes(b -> b.bucket("sums").key("sdk-ok")).asUtf8String()).isEqualTo(BODY);
        assertThatThrownBy(() -> s3.putObject(b -> b.bucket("sums").key("sdk-bad").checksumCRC32C(crc32c("other")),
                RequestBody.fromString(BODY)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("BadDigest"));
        assertThatThrownBy(() -> s3.headObject(b -> b.bucket("sums").key("sdk-bad"))).isInstanceOf(NoSuchKeyException.class);
    }

    static String crc32c(String s) {
        CRC32C crc = new CRC32C();
        crc.update(s.getBytes(StandardCharsets.UTF_8));
        long v = crc.getValue();
        return Base64.getEncoder().encodeToString(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    static String digest(String algorithm, String s) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** A PUT of {@link #BODY} with UNSIGNED-PAYLOAD, the given checksum headers signed with the rest. */
    static HttpResponse<String> put(String pathAndQuery, Map<String, String> checksums) throws Exception {
        URI url = node.url(pathAndQuery);
        String payload = "UNSIGNED-PAYLOAD";
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", url.getHost() + ":" + url.getPort());
        headers.put("x-amz-content-sha256", payload);
        headers.put("x-amz-date", SigV4.amzDate(Instant.now()));
        headers.putAll(checksums);
        String authorization = SigV4.authorization("PUT", url, headers, payload, key.get("accessKeyId").asText(),
                key.get("secretAccessKey").asText(), "us-east-1", "s3");
        HttpRequest.Builder request = HttpRequest.newBuilder(url).header("authorization", authorization);
        headers.forEach((name, value) -> {
            if (!name.equals("host")) {
                request.header(name, value);
            }
        });
        return http.send(request.PUT(HttpRequest.BodyPublishers.ofString(BODY)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
