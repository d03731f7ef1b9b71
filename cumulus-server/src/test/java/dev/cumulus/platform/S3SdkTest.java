package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The AWS SDK for Java v2's {@code S3Client}, unchanged (endpoint override, path-style, keys the
 * node issued), against a real node: buckets, objects, ranges, listings with prefix, delimiter
 * and continuation, copy, delete, multipart upload, presigned GET and PUT through plain HTTP,
 * S3's error codes, and the guard between projects and policies.
 */
class S3SdkTest {
    @TempDir
    static Path dir;

    static TestNode node;
    static S3Client s3;
    static S3Presigner presigner;
    static JsonNode key;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dir.resolve("node"), c -> c.withStemCells(0));
        key = TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"s3 sdk\"}"));
        s3 = client(key);
        presigner = S3Presigner.builder().endpointOverride(node.url("/s3")).region(Region.US_EAST_1)
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(credentials(key)).build();
    }

    static StaticCredentialsProvider credentials(JsonNode key) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(key.get("accessKeyId").asText(),
                key.get("secretAccessKey").asText()));
    }

    static S3Client client(JsonNode key) {
        return client(key, node);
    }

    static S3Client client(JsonNode key, TestNode node) {
        return S3Client.builder().endpointOverride(node.url("/s3")).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(credentials(key))
                .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none())).build();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void createsPutsGetsRangesListsCopiesAndDeletes() {
        s3.createBucket(b -> b.bucket("photos"));
        assertThat(s3.listBuckets().buckets()).extracting(b -> b.name()).contains("photos");
        var put = s3.putObject(b -> b.bucket("photos").key("a/b/hello.txt").contentType("text/plain")
                .metadata(Map.of("colour", "blue")), RequestBody.fromString("hello, storage"));
        assertThat(put.eTag()).isEqualTo("\"" + md5Hex("hello, storage".getBytes(StandardCharsets.UTF_8)) + "\"");

        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket("photos").key("a/b/hello.txt"));
        assertThat(got.asUtf8String()).isEqualTo("hello, storage");
        assertThat(got.response().contentType()).isEqualTo("text/plain");
        assertThat(got.response().metadata()).containsEntry("colour", "blue");
        assertThat(s3.headObject(b -> b.bucket("photos").key("a/b/hello.txt")).contentLength()).isEqualTo(14);

        ResponseBytes<GetObjectResponse> range = s3.getObjectAsBytes(b -> b.bucket("photos").key("a/b/hello.txt")
                .range("bytes=7-13"));
        assertThat(range.asUtf8String()).isEqualTo("storage");
        assertThat(range.response().contentRange()).isEqualTo("bytes 7-13/14");

        for (String k : List.of("a/1", "a/2", "a/c/3", "a/c/4", "a/d/5", "b/6", "top")) {
            s3.putObject(b -> b.bucket("photos").key(k), RequestBody.fromString(k));
        }
        ListObjectsV2Response rolled = s3.listObjectsV2(b -> b.bucket("photos").prefix("a/").delimiter("/"));
        assertThat(rolled.contents()).extracting(S3Object::key).containsExactly("a/1", "a/2");
        assertThat(rolled.commonPrefixes()).extracting(p -> p.prefix()).containsExactly("a/b/", "a/c/", "a/d/");

        List<String> paged = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket("photos").maxKeys(3).continuationToken(t));
            page.contents().forEach(o -> paged.add(o.key()));
            token = page.nextContinuationToken();
            pages++;
        } while (token != null);
        assertThat(paged).containsExactly("a/1", "a/2", "a/b/hello.txt", "a/c/3", "a/c/4", "a/d/5", "b/6", "top");
        assertThat(pages).isEqualTo(3);
        assertThat(s3.listObjectsV2Paginator(b -> b.bucket("photos").prefix("a/c/").maxKeys(1)).contents().stream()
                .map(S3Object::key).toList()).containsExactly("a/c/3", "a/c/4");

        s3.copyObject(b -> b.sourceBucket("photos").sourceKey("a/b/hello.txt").destinationBucket("photos")
                .destinationKey("copy.txt"));
        assertThat(s3.getObjectAsBytes(b -> b.bucket("photos").key("copy.txt")).asUtf8String()).isEqualTo("hello, storage");

        s3.deleteObject(b -> b.bucket("photos").key("copy.txt"));
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("photos").key("copy.txt")))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("NoSuchKey");
                });
        assertThatThrownBy(() -> s3.deleteBucket(b -> b.bucket("photos")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("BucketNotEmpty"));
    }

    @Test
    void uploadsInPartsWithS3sMultipartEtag() throws Exception {
        s3.createBucket(b -> b.bucket("big"));
        byte[] first = new byte[5 * 1024 * 1024];
        byte[] second = new byte[1024 * 1024 + 17];
        new Random(1).nextBytes(first);
        new Random(2).nextBytes(second);
        String uploadId = s3.createMultipartUpload(b -> b.bucket("big").key("blob.bin").contentType("application/x-test"))
                .uploadId();
        String e1 = s3.uploadPart(b -> b.bucket("big").key("blob.bin").uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(first)).eTag();
        String e2 = s3.uploadPart(b -> b.bucket("big").key("blob.bin").uploadId(uploadId).partNumber(2),
                RequestBody.fromBytes(second)).eTag();
        assertThat(s3.listParts(b -> b.bucket("big").key("blob.bin").uploadId(uploadId)).parts()).hasSize(2);
        String etag = s3.completeMultipartUpload(b -> b.bucket("big").key("blob.bin").uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(e1).build(),
                        CompletedPart.builder().partNumber(2).eTag(e2).build()))).eTag();
        MessageDigest md5s = MessageDigest.getInstance("MD5");
        md5s.update(MessageDigest.getInstance("MD5").digest(first));
        md5s.update(MessageDigest.getInstance("MD5").digest(second));
        assertThat(etag).isEqualTo("\"" + HexFormat.of().formatHex(md5s.digest()) + "-2\"");
        byte[] back = s3.getObjectAsBytes(b -> b.bucket("big").key("blob.bin")).asByteArray();
        assertThat(md5Hex(back)).isEqualTo(md5Hex(concat(first, second)));
        assertThatThrownBy(() -> s3.listParts(b -> b.bucket("big").key("blob.bin").uploadId(uploadId)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("NoSuchUpload"));
    }

    @Test
    void presignedGetAndPutWorkWithPlainHttpAndATamperedOneIsDenied() throws Exception {
        s3.createBucket(b -> b.bucket("shared"));
        var putUrl = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                .putObjectRequest(r -> r.bucket("shared").key("up/load.txt"))).url();
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(putUrl.toURI())
                .PUT(HttpRequest.BodyPublishers.ofString("from a browser")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

        var getUrl = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                .getObjectRequest(r -> r.bucket("shared").key("up/load.txt"))).url();
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(getUrl.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("from a browser");

        String tampered = getUrl.toString().replace("up/load.txt", "up/other.txt");
        HttpResponse<String> denied = http.send(HttpRequest.newBuilder(java.net.URI.create(tampered)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).contains("<Code>SignatureDoesNotMatch</Code>");
    }

    @Test
    void corsRulesAnswerPreflightsAndMarkBrowserRequests() throws Exception {
        s3.createBucket(b -> b.bucket("web-uploads"));
        s3.putBucketCors(b -> b.bucket("web-uploads").corsConfiguration(c -> c.corsRules(r -> r
                .allowedOrigins("https://app.example.com").allowedMethods("GET", "PUT").allowedHeaders("content-type")
                .exposeHeaders("ETag").maxAgeSeconds(600))));
        assertThat(s3.getBucketCors(b -> b.bucket("web-uploads")).corsRules().getFirst().allowedMethods())
                .containsExactly("GET", "PUT");

        HttpResponse<String> allowed = http.send(HttpRequest.newBuilder(node.url("/s3/web-uploads/photo.jpg"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "PUT").header("Access-Control-Request-Headers", "content-type")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example.com");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Methods")).contains("GET, PUT");
        assertThat(allowed.headers().firstValue("Access-Control-Max-Age")).contains("600");

        HttpResponse<String> otherOrigin = http.send(HttpRequest.newBuilder(node.url("/s3/web-uploads/photo.jpg"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "PUT").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(otherOrigin.statusCode()).isEqualTo(403);
        assertThat(otherOrigin.body()).contains("<Code>AccessForbidden</Code>");

        s3.putObject(b -> b.bucket("web-uploads").key("photo.jpg"), RequestBody.fromString("jpeg"));
        var url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                .getObjectRequest(r -> r.bucket("web-uploads").key("photo.jpg"))).url();
        HttpResponse<String> fromBrowser = http.send(HttpRequest.newBuilder(url.toURI())
                .header("Origin", "https://app.example.com").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fromBrowser.statusCode()).isEqualTo(200);
        assertThat(fromBrowser.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example.com");
        assertThat(fromBrowser.headers().firstValue("Access-Control-Expose-Headers")).contains("ETag");
    }

    /** A single PUT declaring more than S3's 5 GiB is refused before a byte of it is read. */
    @Test
    void anOversizedSinglePutIsEntityTooLarge() throws Exception {
        s3.createBucket(b -> b.bucket("oversized"));
        long declared = 6L * 1024 * 1024 * 1024;
        java.net.URI uri = node.url("/s3/oversized/huge.bin");
        var signed = software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.create().sign(r -> r
                .identity(software.amazon.awssdk.identity.spi.AwsCredentialsIdentity.create(
                        key.get("accessKeyId").asText(), key.get("secretAccessKey").asText()))
                .request(software.amazon.awssdk.http.SdkHttpRequest.builder()
                        .method(software.amazon.awssdk.http.SdkHttpMethod.PUT).uri(uri)
                        .putHeader("Content-Length", Long.toString(declared))
                        .putHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD").build())
                .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false))
                .request();
        // a raw socket: no client sends a length it does not mean to send
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            StringBuilder head = new StringBuilder("PUT " + uri.getRawPath() + " HTTP/1.1\r\n");
            signed.forEachHeader((name, values) -> values.forEach(v -> head.append(name).append(": ").append(v).append("\r\n")));
            if (signed.firstMatchingHeader("Host").isEmpty()) {
                head.append("Host: ").append(uri.getRawAuthority()).append("\r\n");
            }
            head.append("\r\n");
            socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write("only a few bytes".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.setSoTimeout(30_000);
            String answer = new String(socket.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("<Code>EntityTooLarge</Code>");
        }
        assertThatThrownBy(() -> s3.headObject(b -> b.bucket("oversized").key("huge.bin"))).isInstanceOf(S3Exception.class);
    }

    /** A body other than the one whose SHA-256 was signed is refused, and nothing is stored. */
    @Test
    void aBodyThatIsNotTheSignedOneIsRefusedAndNotStored() throws Exception {
        s3.createBucket(b -> b.bucket("tamper"));
        java.net.URI uri = node.url("/s3/tamper/doc.txt");
        var signed = software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.create().sign(r -> r
                .identity(software.amazon.awssdk.identity.spi.AwsCredentialsIdentity.create(
                        key.get("accessKeyId").asText(), key.get("secretAccessKey").asText()))
                .request(software.amazon.awssdk.http.SdkHttpRequest.builder()
                        .method(software.amazon.awssdk.http.SdkHttpMethod.PUT).uri(uri).build())
                .payload(software.amazon.awssdk.http.ContentStreamProvider.fromUtf8String("the signed bytes"))
                .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true))
                .request();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.ofString("other bytes, same"));
        signed.forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        assertThat(signed.firstMatchingHeader("x-amz-content-sha256")).isPresent();
        HttpResponse<String> refused = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains("<Code>XAmzContentSHA256Mismatch</Code>");
        assertThat(s3.listObjectsV2(b -> b.bucket("tamper")).contents()).isEmpty();
    }

    @Test
    void anExpiredPresignedUrlIsDenied() throws Exception {
        s3.createBucket(b -> b.bucket("expiring"));
        s3.putObject(b -> b.bucket("expiring").key("k"), RequestBody.fromString("v"));
        // signed two hours ago for five minutes, with the same key
        java.net.URI url = dev.cumulus.auth.SigV4.presign("GET", node.url("/s3/expiring/k"),
                key.get("accessKeyId").asText(), key.get("secretAccessKey").asText(), "us-east-1", "s3",
                java.time.Instant.now().minus(Duration.ofHours(2)), Duration.ofMinutes(5));
        HttpResponse<String> expired = http.send(HttpRequest.newBuilder(url).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(expired.body()).contains("<Code>AccessDenied</Code>").contains("expired");
    }

    @Test
    void badInputGetsS3sPreciseErrors() {
        s3.createBucket(b -> b.bucket("errors"));
        assertThatThrownBy(() -> s3.createBucket(b -> b.bucket("xn--bucket")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("InvalidBucketName"));
        assertThatThrownBy(() -> s3.createBucket(b -> b.bucket("errors")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("BucketAlreadyOwnedByYou"));
        assertThatThrownBy(() -> s3.putObject(b -> b.bucket("errors").key("k").contentMD5("1B2M2Y8AsgTpgAmY7PhCfg=="),
                RequestBody.fromString("not empty")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("BadDigest"));
        assertThatThrownBy(() -> s3.headObject(b -> b.bucket("errors").key("k"))).isInstanceOf(S3Exception.class);
        s3.putObject(b -> b.bucket("errors").key("ten"), RequestBody.fromString("0123456789"));
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("errors").key("ten").range("bytes=20-30")))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(416);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidRange");
                });
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("errors").key("ten").ifMatch("\"nope\"")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
        assertThatThrownBy(() -> s3.listObjectsV2(b -> b.bucket("nowhere")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("NoSuchBucket"));
    }

    @Test
    void aKeyOfAnotherProjectSeesNoBucketAndAKeyWithoutPutObjectIsDenied() {
        s3.createBucket(b -> b.bucket("private"));
        s3.putObject(b -> b.bucket("private").key("secret.txt"), RequestBody.fromString("mine"));
        assertThat(node.send("POST", "/v1/projects", "{\"name\":\"other\"}").statusCode()).isEqualTo(201);
        S3Client other = client(TestNode.json(node.send("POST", "/v1/keys", "{\"project\":\"other\"}")));
        assertThat(other.listBuckets().buckets()).isEmpty();
        assertThatThrownBy(() -> other.getObjectAsBytes(b -> b.bucket("private").key("secret.txt")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("NoSuchBucket"));

        S3Client readOnly = client(TestNode.json(node.send("POST", "/v1/keys", """
                {"policy":{"Version":"2026-12-01","Statement":[{"Effect":"Allow",
                 "Action":["storage:GetObject","storage:ListBucket"],"Resource":"crn:cumulus:storage:default:private*"}]}}""")));
        assertThat(readOnly.getObjectAsBytes(b -> b.bucket("private").key("secret.txt")).asUtf8String()).isEqualTo("mine");
        assertThatThrownBy(() -> readOnly.putObject(b -> b.bucket("private").key("new.txt"), RequestBody.fromString("x")))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(403);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
                });
    }

    static String md5Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
