package dev.cumulus.platform;

import dev.cumulus.async.AsyncDelivery;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A node in a process of its own, for tests that kill it or start it on a host they changed:
 * {@code NodeProcessMain DATA_DIR AOT_DIR [SANDBOX_MODE [BLOB_STORE]]} starts a platform on a free
 * port (its bytes in {@code BLOB_STORE}, an {@code s3://} URL, with the credentials in the
 * process's environment, when given), prints {@code READY <url>} and runs until the process ends.
 * The system properties {@value #DB} (a JDBC URL) and {@value #CLUSTER_BUS} (a NATS URL) set
 * {@code --db} and {@code --cluster-bus}.
 */
public final class NodeProcessMain {
    static final String DB = "cumulus.test.db";
    static final String CLUSTER_BUS = "cumulus.test.clusterBus";

    private NodeProcessMain() {}

    public static void main(String[] args) throws Exception {
        Platform platform = Platform.start(PlatformConfig.defaults().withPort(0).withDataDir(Path.of(args[0]))
                .withAotDir(Path.of(args[1])).withSandbox(args.length > 2 ? args[2] : PlatformConfig.defaults().sandbox())
                .withAsync(AsyncDelivery.Settings.defaults().withBackoff(Duration.ofMillis(20)).withConcurrency(4))
                .withBlobStore(args.length > 3 ? dev.cumulus.storage.S3BlobStore.Settings.parse(args[3], System.getenv())
                        : PlatformConfig.defaults().blobStore())
                .withJdbcUrl(System.getProperty(DB)).withClusterBus(System.getProperty(CLUSTER_BUS)));
        Runtime.getRuntime().addShutdownHook(new Thread(platform::close));
        System.out.println("READY " + platform.url());
        System.out.flush();
        Thread.currentThread().join();
    }
}
