package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.testing.S3rver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Killing the node (SIGKILL) in the middle of an upload leaves no partial object visible: the
 * bytes that arrived sit in a temp file only, which the restarted node deletes; the objects
 * written before are whole. The same on the S3 blob store.
 */
class StorageCrashTest {
    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final List<Process> processes = new ArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    URI url;
    String token;

    @AfterEach
    void stopNodes() throws InterruptedException {
        release.countDown();
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void aNodeKilledMidUploadShowsNoPartialObjectAndCleansItsTempFileOnRestart() throws Exception {
        Path dataDir = dir.resolve("data");
        Process first = startNode(dataDir, "first");
        assertThat(send("PUT", "/v1/storage/buckets/crash", HttpRequest.BodyPublishers.noBody()).statusCode())
                .isEqualTo(201);
        assertThat(send("PUT", "/v1/storage/buckets/crash/objects/whole.txt",
                HttpRequest.BodyPublishers.ofString("written before the crash")).statusCode()).isEqualTo(200);

        // 8 MiB arrive, then the client stalls: the node is writing the object when it is killed
        long sendBeforeStall = 8L * 1024 * 1024;
        InputStream stalling = new InputStream() {
            long sent;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (sent >= sendBeforeStall) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return -1;
                }
                int n = (int) Math.min(len, sendBeforeStall - sent);
                java.util.Arrays.fill(b, off, off + n, (byte) 'p');
                sent += n;
                return n;
            }
        };
        http.sendAsync(HttpRequest.newBuilder(url.resolve("/v1/storage/buckets/crash/objects/partial.bin"))
                .header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> stalling)).build(), HttpResponse.BodyHandlers.ofString());
        Path tmp = dataDir.resolve("storage").resolve("tmp");
        await().atMost(Duration.ofSeconds(60)).until(() -> tempBytes(tmp) >= sendBeforeStall / 2);

        first.destroyForcibly(); // SIGKILL: no shutdown hook, nothing finished
        first.waitFor();
        assertThat(tempBytes(tmp)).as("the crash left the partial bytes in a temp file").isPositive();

        startNode(dataDir, "second");
        assertThat(tempBytes(tmp)).as("the restarted node deleted the temp file").isZero();
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.toList()).isEmpty();
        }
        HttpResponse<String> partial = send("GET", "/v1/storage/buckets/crash/objects/partial.bin", null);
        assertThat(partial.statusCode()).isEqualTo(404);
        assertThat(TestNode.json(partial).get("error").asText()).isEqualTo("NoSuchKey");
        JsonNode listing = TestNode.json(send("GET", "/v1/storage/buckets/crash/objects", null));
        assertThat(listing.get("objects")).hasSize(1);
        assertThat(listing.get("objects").get(0).get("key").asText()).isEqualTo("whole.txt");
        HttpResponse<String> whole = send("GET", "/v1/storage/buckets/crash/objects/whole.txt", null);
        assertThat(whole.body()).isEqualTo("written before the crash");
    }

    /**
     * The same on the S3 blob store (ADR 0031), against s3rver: the killed upload's parts may stay
     * in the bucket as an unfinished multipart upload, but no object shows, after the restart
     * either, and the object written before is whole.
     */
    @Test
    void aNodeOnTheS3BlobStoreKilledMidUploadShowsNoPartialObject() throws Exception {
        try (S3rver server = S3rver.start(dir.resolve("s3rver"), "crash-blobs")) {
            String blobStore = "s3://crash-blobs/node?endpoint=" + server.endpoint();
            Path dataDir = dir.resolve("data");
            Process first = startNode(dataDir, "first", blobStore);
            assertThat(send("PUT", "/v1/storage/buckets/crash", HttpRequest.BodyPublishers.noBody()).statusCode())
                    .isEqualTo(201);
            assertThat(send("PUT", "/v1/storage/buckets/crash/objects/whole.txt",
                    HttpRequest.BodyPublishers.ofString("written before the crash")).statusCode()).isEqualTo(200);

            // 20 MiB (two of the store's 8 MiB parts and more) are handed over, then the client stalls
            long sendBeforeStall = 20L * 1024 * 1024;
            java.util.concurrent.atomic.AtomicLong handedOver = new java.util.concurrent.atomic.AtomicLong();
            InputStream stalling = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0];
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (handedOver.get() >= sendBeforeStall) {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return -1;
                    }
                    int n = (int) Math.min(len, sendBeforeStall - handedOver.get());
                    java.util.Arrays.fill(b, off, off + n, (byte) 'p');
                    handedOver.addAndGet(n);
                    return n;
                }
            };
            http.sendAsync(HttpRequest.newBuilder(url.resolve("/v1/storage/buckets/crash/objects/partial.bin"))
                    .header("Authorization", "Bearer " + token)
                    .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> stalling)).build(),
                    HttpResponse.BodyHandlers.ofString());
            // the node has shipped at least one part to s3rver: it is in the middle of the upload
            long before = S3BlobStoreNodeTest.filesUnder(dir.resolve("s3rver"));
            await().atMost(Duration.ofSeconds(120)).until(() -> handedOver.get() >= sendBeforeStall
                    && S3BlobStoreNodeTest.filesUnder(dir.resolve("s3rver")) > before);

            first.destroyForcibly(); // SIGKILL: no shutdown hook, nothing finished
            first.waitFor();

            startNode(dataDir, "second", blobStore);
            HttpResponse<String> partial = send("GET", "/v1/storage/buckets/crash/objects/partial.bin", null);
            assertThat(partial.statusCode()).as(partial.body()).isEqualTo(404);
            assertThat(TestNode.json(partial).get("error").asText()).isEqualTo("NoSuchKey");
            JsonNode listing = TestNode.json(send("GET", "/v1/storage/buckets/crash/objects", null));
            assertThat(listing.get("objects")).hasSize(1);
            assertThat(listing.get("objects").get(0).get("key").asText()).isEqualTo("whole.txt");
            assertThat(send("GET", "/v1/storage/buckets/crash/objects/whole.txt", null).body())
                    .isEqualTo("written before the crash");
        }
    }

    private static long tempBytes(Path tmp) throws IOException {
        if (!Files.isDirectory(tmp)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(tmp)) {
            long total = 0;
            for (Path f : files.toList()) {
                try {
                    total += Files.size(f);
                } catch (java.nio.file.NoSuchFileException gone) {
                    // finished or deleted meanwhile
                }
            }
            return total;
        }
    }

    private Process startNode(Path dataDir, String name) throws IOException {
        return startNode(dataDir, name, null);
    }

    /** @param blobStore an {@code s3://} blob store on {@link S3rver}, or null for the data dir */
    private Process startNode(Path dataDir, String name, String blobStore) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dcumulus.runtime.jar=" + System.getProperty("cumulus.runtime.jar"),
                "-cp", System.getProperty("java.class.path"),
                NodeProcessMain.class.getName(), dataDir.toString(), TestNode.SHARED_AOT_DIR.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (blobStore != null) {
            command.addAll(List.of(dev.cumulus.platform.PlatformConfig.defaults().sandbox(), blobStore));
            builder.command(command).environment().putAll(S3rver.credentials());
        }
        Process process = builder.redirectError(dir.resolve(name + ".log").toFile()).start();
        processes.add(process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
            // the node's own output before it is ready
        }
        if (line == null) {
            throw new IllegalStateException("the node process ended before it was ready; see "
                    + Files.readString(dir.resolve(name + ".log")));
        }
        url = URI.create(line.substring("READY ".length()));
        token = Files.readString(dataDir.resolve("root-token")).strip();
        return process;
    }

    private HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body) {
        try {
            return http.send(HttpRequest.newBuilder(url.resolve(path)).header("Authorization", "Bearer " + token)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body)
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
