package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * A 1 GiB object through a node whose heap is capped at 128 MiB (a process of its own): uploaded
 * by the AWS SDK in 64 MiB parts, completed, and read back with a matching MD5. The node never
 * holds an object, a part or a body in memory, or it could not do this.
 */
class S3LargeObjectTest {
    static final long SIZE = 1024L * 1024 * 1024;
    static final int PART = 64 * 1024 * 1024;

    @TempDir
    Path dir;

    final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void aGibibyteGoesUpInPartsAndComesBackWholeThroughABoundedHeap() throws Exception {
        Path dataDir = dir.resolve("data");
        URI url = startNode(dataDir);
        String token = Files.readString(dataDir.resolve("root-token")).strip();
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url.resolve("/v1/keys"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode key = TestNode.JSON.readTree(created.body());
        try (S3Client s3 = S3Client.builder().endpointOverride(url.resolve("/s3")).forcePathStyle(true)
                .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        key.get("accessKeyId").asText(), key.get("secretAccessKey").asText())))
                .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none()).apiCallTimeout(Duration.ofMinutes(10)))
                .build()) {
            s3.createBucket(b -> b.bucket("large"));
            String uploadId = s3.createMultipartUpload(b -> b.bucket("large").key("gib.bin")).uploadId();
            MessageDigest sent = MessageDigest.getInstance("MD5");
            List<CompletedPart> parts = new ArrayList<>();
            Random random = new Random(14);
            byte[] part = new byte[PART];
            for (int n = 1; (long) (n - 1) * PART < SIZE; n++) {
                random.nextBytes(part);
                sent.update(part);
                int number = n;
                String etag = s3.uploadPart(b -> b.bucket("large").key("gib.bin").uploadId(uploadId).partNumber(number),
                        RequestBody.fromBytes(part)).eTag();
                parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
            }
            s3.completeMultipartUpload(b -> b.bucket("large").key("gib.bin").uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            assertThat(s3.headObject(b -> b.bucket("large").key("gib.bin")).contentLength()).isEqualTo(SIZE);

            MessageDigest received = MessageDigest.getInstance("MD5");
            long total = 0;
            try (InputStream in = s3.getObject(b -> b.bucket("large").key("gib.bin"))) {
                byte[] buffer = new byte[1024 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    received.update(buffer, 0, n);
                    total += n;
                }
            }
            assertThat(total).isEqualTo(SIZE);
            assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
        }
        assertThat(processes.getFirst().isAlive()).as("the node with a 128 MiB heap is still up").isTrue();
    }

    private URI startNode(Path dataDir) throws IOException {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+ExitOnOutOfMemoryError",
                "-Dcumulus.runtime.jar=" + System.getProperty("cumulus.runtime.jar"),
                "-cp", System.getProperty("java.class.path"),
                NodeProcessMain.class.getName(), dataDir.toString(), TestNode.SHARED_AOT_DIR.toString());
        Process process = new ProcessBuilder(command).redirectError(dir.resolve("node.log").toFile()).start();
        processes.add(process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
            // the node's own output before it is ready
        }
        if (line == null) {
            throw new IllegalStateException("the node process ended before it was ready; see "
                    + Files.readString(dir.resolve("node.log")));
        }
        return URI.create(line.substring("READY ".length()));
    }
}
