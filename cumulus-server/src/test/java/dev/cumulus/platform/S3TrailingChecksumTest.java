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
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;

/**
 * Trailing checksums of aws-chunked bodies ({@code x-amz-trailer}), which the AWS SDK v2 sends by
 * default, are verified: the SDK's own (CRC32 and the others) are accepted, a wrong one is
 * {@code BadDigest} and nothing is stored; a signed trailer's signature is checked too.
 */
class S3TrailingChecksumTest {
    @TempDir
    static Path dir;

    static TestNode node;
    static JsonNode key;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dir.resolve("node"), c -> c.withStemCells(0));
        key = TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"checksums\"}"));
        try (S3Client s3 = S3SdkTest.client(key, node)) {
            s3.createBucket(b -> b.bucket("sums"));
        }
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void theSdksTrailingChecksumsAreAccepted() {
        try (S3Client s3 = S3SdkTest.client(key, node)) {
            for (ChecksumAlgorithm algorithm : new ChecksumAlgorithm[] {ChecksumAlgorithm.CRC32,
                    ChecksumAlgorithm.CRC32_C, ChecksumAlgorithm.SHA1, ChecksumAlgorithm.SHA256}) {
                String k = "ok-" + algorithm;
                s3.putObject(b -> b.bucket("sums").key(k).checksumAlgorithm(algorithm),
                        RequestBody.fromString("checked with " + algorithm));
                assertThat(s3.getObjectAsBytes(b -> b.bucket("sums").key(k)).asUtf8String())
                        .isEqualTo("checked with " + algorithm);
            }
        }
    }

    @Test
    void aWrongOrMissingTrailingChecksumIsBadDigestAndStoresNothing() throws Exception {
        CRC32 crc = new CRC32();
        crc.update("hello".getBytes(StandardCharsets.UTF_8));
        long v = crc.getValue();
        String right = Base64.getEncoder().encodeToString(new byte[] {
                (byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});

        HttpResponse<String> wrong = put("wrong.txt", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
        assertThat(wrong.statusCode()).as(wrong.body()).isEqualTo(400);
        assertThat(wrong.body()).contains("<Code>BadDigest</Code>");
        HttpResponse<String> missing = put("missing.txt", "5\r\nhello\r\n0\r\n\r\n");
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(400);
        assertThat(missing.body()).contains("<Code>BadDigest</Code>");
        try (S3Client s3 = S3SdkTest.client(key, node)) {
            for (String k : new String[] {"wrong.txt", "missing.txt"}) {
                assertThatThrownBy(() -> s3.headObject(b -> b.bucket("sums").key(k)))
                        .isInstanceOf(software.amazon.awssdk.services.s3.model.NoSuchKeyException.class);
            }
            HttpResponse<String> ok = put("right.txt", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:" + right + "\r\n\r\n");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(s3.getObjectAsBytes(b -> b.bucket("sums").key("right.txt")).asUtf8String()).isEqualTo("hello");
        }
    }

    /**
     * A signed stream with a signed trailer: the trailer's signature chains to the last chunk's;
     * a trailer whose signature does not match is refused and nothing is stored.
     */
    @Test
    void aSignedTrailerIsVerified() throws Exception {
        String right = crc32("hello");
        HttpResponse<String> ok = signedPut("signed.txt", right, false);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        HttpResponse<String> tampered = signedPut("tampered.txt", right, true);
        assertThat(tampered.statusCode()).as(tampered.body()).isEqualTo(403);
        assertThat(tampered.body()).contains("<Code>SignatureDoesNotMatch</Code>");
        try (S3Client s3 = S3SdkTest.client(key, node)) {
            assertThat(s3.getObjectAsBytes(b -> b.bucket("sums").key("signed.txt")).asUtf8String()).isEqualTo("hello");
            assertThatThrownBy(() -> s3.headObject(b -> b.bucket("sums").key("tampered.txt")))
                    .isInstanceOf(software.amazon.awssdk.services.s3.model.NoSuchKeyException.class);
        }
    }

    static String crc32(String s) {
        CRC32 crc = new CRC32();
        crc.update(s.getBytes(StandardCharsets.UTF_8));
        long v = crc.getValue();
        return Base64.getEncoder().encodeToString(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    static HttpResponse<String> signedPut(String objectKey, String checksum, boolean tamper) throws Exception {
        URI url = node.url("/s3/sums/" + objectKey);
        String payload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
        String amzDate = SigV4.amzDate(Instant.now());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", url.getHost() + ":" + url.getPort());
        headers.put("x-amz-content-sha256", payload);
        headers.put("x-amz-date", amzDate);
        headers.put("x-amz-trailer", "x-amz-checksum-crc32");
        String secret = key.get("secretAccessKey").asText();
        String authorization = SigV4.authorization("PUT", url, headers, payload, key.get("accessKeyId").asText(),
                secret, "us-east-1", "s3");
        String scope = amzDate.substring(0, 8) + "/us-east-1/s3/aws4_request";
        byte[] signingKey = SigV4.signingKey(secret, scope);
        String empty = SigV4.sha256Hex(new byte[0], 0, 0);
        String seed = authorization.substring(authorization.indexOf("Signature=") + "Signature=".length());
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        String first = SigV4.hmacHex(signingKey, "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + seed
                + "\n" + empty + "\n" + SigV4.sha256Hex(hello, 0, hello.length));
        String last = SigV4.hmacHex(signingKey, "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + first
                + "\n" + empty + "\n" + empty);
        byte[] trailer = ("x-amz-checksum-crc32:" + checksum + "\n").getBytes(StandardCharsets.UTF_8);
        String trailerSignature = SigV4.hmacHex(signingKey, "AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope + "\n"
                + last + "\n" + SigV4.sha256Hex(trailer, 0, trailer.length));
        if (tamper) {
            trailerSignature = (trailerSignature.charAt(0) == '0' ? "1" : "0") + trailerSignature.substring(1);
        }
        String body = "5;chunk-signature=" + first + "\r\nhello\r\n0;chunk-signature=" + last + "\r\n"
                + "x-amz-checksum-crc32:" + checksum + "\r\nx-amz-trailer-signature:" + trailerSignature + "\r\n\r\n";
        return http.send(HttpRequest.newBuilder(url)
                .header("x-amz-content-sha256", payload)
                .header("x-amz-date", amzDate)
                .header("x-amz-trailer", "x-amz-checksum-crc32")
                .header("x-amz-decoded-content-length", "5")
                .header("content-encoding", "aws-chunked")
                .header("authorization", authorization)
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An unsigned-payload aws-chunked PUT with a CRC32 trailer, its headers signed with the key. */
    static HttpResponse<String> put(String objectKey, String body) throws Exception {
        URI url = node.url("/s3/sums/" + objectKey);
        String host = url.getHost() + ":" + url.getPort();
        String payload = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", host);
        headers.put("x-amz-content-sha256", payload);
        headers.put("x-amz-date", SigV4.amzDate(Instant.now()));
        String authorization = SigV4.authorization("PUT", url, headers, payload, key.get("accessKeyId").asText(),
                key.get("secretAccessKey").asText(), "us-east-1", "s3");
        return http.send(HttpRequest.newBuilder(url)
                .header("x-amz-content-sha256", payload)
                .header("x-amz-date", headers.get("x-amz-date"))
                .header("x-amz-trailer", "x-amz-checksum-crc32")
                .header("x-amz-decoded-content-length", "5")
                .header("content-encoding", "aws-chunked")
                .header("authorization", authorization)
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
