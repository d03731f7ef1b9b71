package dev.cumulus.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real, independent S3-compatible server for tests of the S3 BlobStore: the npm package
 * {@code s3rver} (installed by {@code .ci/run} under {@code .ci/s3rver}), started as its own
 * process with one bucket. It knows one key pair, S3RVER/S3RVER, and refuses other key ids, but it
 * does not recompute SigV4 signatures: {@code SigV4SigningTest} holds the node's signing to the
 * AWS SDK's signer instead.
 */
public final class S3rver implements AutoCloseable {
    public static final String ACCESS_KEY_ID = "S3RVER";
    public static final String SECRET = "S3RVER";

    private final Process process;
    private final int port;
    private final Path directory;

    private S3rver(Process process, int port, Path directory) {
        this.process = process;
        this.port = port;
        this.directory = directory;
    }

    /** Starts s3rver with {@code bucket} created, its data under {@code directory}. */
    public static S3rver start(Path directory, String bucket) throws IOException {
        Path bin = repositoryRoot().resolve(".ci/s3rver/node_modules/.bin/s3rver");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException(bin + " is missing: run 'npm install --prefix .ci/s3rver' (.ci/run does)");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(directory);
        Path log = directory.resolveSibling(directory.getFileName() + ".log");
        Process process = new ProcessBuilder(bin.toString(), "-d", directory.toString(), "-a", "127.0.0.1",
                "-p", Integer.toString(port), "--no-vhost-buckets", "--configure-bucket", bucket)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        S3rver server = new S3rver(process, port, directory);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("s3rver exited: " + Files.readString(log));
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                    return true;
                } catch (IOException notYet) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The environment that gives a node s3rver's credentials. */
    public static Map<String, String> credentials() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY", SECRET);
    }

    public Path directory() {
        return directory;
    }

    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve(".ci"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no .ci directory above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
