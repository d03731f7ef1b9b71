package dev.cumulus.platform;

import dev.cumulus.async.AsyncDelivery;
import dev.cumulus.edge.EdgeTls;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything a node is started with. {@link #defaults()} is the embedded single-node setup.
 *
 * @param port edge HTTP port; 0 picks a free one
 * @param dataDir where the Store, code packages, root token and instance scratch space live
 * @param jdbcUrl null for the embedded SQLite file under dataDir, else a PostgreSQL JDBC URL
 * @param defaultKeepAlive how long an idle instance lives unless its function says otherwise
 * @param maxCodeBytes upload limit for code packages
 * @param maxInstances node-wide limit on live instances
 * @param queueDepth invocations that may wait per function when it is at its limit
 * @param queueTimeout how long such an invocation waits before it gets a 429
 * @param sandbox "bwrap" (the default: the node does not start without it) or "none-i-trust-all-code"
 *     (plain processes, said on every response); see {@link dev.cumulus.sandbox.Sandboxes}
 * @param runtimeJar the Java runtime jar put into each instance; null finds it beside the server jar
 * @param stemCells pre-started runtimes kept per memory size in demand; 0 turns stem cells off
 * @param aotDir where the Java runtime's AOT cache lives; null for {@code <dataDir>/aot}. Caches are
 *     keyed by JDK build, runtime jar and JVM flags, so nodes on one machine may share the directory
 * @param region what instances see as {@code AWS_REGION}; {@code us-east-1} unless set
 * @param async how asynchronous events are delivered: concurrency, retry backoff, retention
 * @param tls how the edge serves HTTPS; see {@link EdgeTls}
 * @param smtp the node's mail relay, {@code smtp://HOST:PORT} or {@code smtps://USER:PASS@HOST:PORT};
 *     null for none (projects may set their own; see {@link dev.cumulus.mail.SmtpServer})
 * @param blobStore where object storage keeps its bytes: null for files under the data dir, else a
 *     bucket of an S3-compatible service that nodes may share (ADR 0031)
 * @param clusterBus how the nodes sharing a database tell each other of commits, so that realtime
 *     subscriptions on every node see a write at once: null for a node alone, else a NATS URL
 *     ({@code nats://HOST:PORT}); a node does not start when it cannot reach it (ADR 0041)
 */
public record PlatformConfig(
        String host,
        int port,
        Path dataDir,
        String jdbcUrl,
        Duration defaultKeepAlive,
        long maxCodeBytes,
        int maxInstances,
        int queueDepth,
        Duration queueTimeout,
        String sandbox,
        Path runtimeJar,
        int stemCells,
        Path aotDir,
        String region,
        AsyncDelivery.Settings async,
        EdgeTls tls,
        String smtp,
        dev.cumulus.storage.S3BlobStore.Settings blobStore,
        String clusterBus) {

    public static final String DEFAULT_REGION = "us-east-1";

    public static PlatformConfig defaults() {
        return new PlatformConfig("127.0.0.1", 8080, Path.of(".cumulus"), null, Duration.ofMinutes(10),
                50L * 1024 * 1024, 64, 100, Duration.ofSeconds(10), "bwrap", null, 1, null, DEFAULT_REGION,
                AsyncDelivery.Settings.defaults(), EdgeTls.DEFAULT, null, null, null);
    }

    public PlatformConfig withPort(int port) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withDataDir(Path dataDir) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withDefaultKeepAlive(Duration keepAlive) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, keepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withMaxCodeBytes(long maxCodeBytes) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withQueue(int queueDepth, Duration queueTimeout) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withStemCells(int stemCells) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withAotDir(Path aotDir) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withSandbox(String sandbox) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withRegion(String region) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withHost(String host) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withTls(EdgeTls tls) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withAsync(AsyncDelivery.Settings async) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withSmtp(String smtp) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withBlobStore(dev.cumulus.storage.S3BlobStore.Settings blobStore) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withJdbcUrl(String jdbcUrl) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }

    public PlatformConfig withClusterBus(String clusterBus) {
        return new PlatformConfig(host, port, dataDir, jdbcUrl, defaultKeepAlive, maxCodeBytes,
                maxInstances, queueDepth, queueTimeout, sandbox, runtimeJar, stemCells, aotDir,
                region, async, tls, smtp, blobStore, clusterBus);
    }
}
