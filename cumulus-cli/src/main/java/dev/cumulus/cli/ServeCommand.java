package dev.cumulus.cli;

import dev.cumulus.auth.RootToken;
import dev.cumulus.edge.EdgeTls;
import dev.cumulus.platform.Platform;
import dev.cumulus.platform.PlatformConfig;
import dev.cumulus.sandbox.SandboxUnavailableException;
import dev.cumulus.sandbox.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run a Cumulus node in the foreground until Ctrl+C (SIGINT) or SIGTERM.",
                "On stop it drains in-flight invocations and flushes metering."})
final class ServeCommand implements Callable<Integer> {
    /** The launcher passes the runtime jar of the distribution with this system property. */
    static final String RUNTIME_JAR_PROPERTY = "cumulus.runtime.jar";

    enum LogLevel { error, warn, info, debug, trace }

    private final Cli cli;

    @Option(names = {"-p", "--port"}, paramLabel = "N", defaultValue = "8080",
            description = "HTTP port; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on. Default: 127.0.0.1. "
            + "Beyond loopback the node serves HTTPS (see --tls-cert and --insecure-http).")
    String host;

    @Option(names = {"--data", "--data-dir"}, paramLabel = "DIR",
            description = "Data dir (store, code, root token). Default: $CUMULUS_DATA, else ./.cumulus.")
    Path dataDir;

    @Option(names = "--keep-alive", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Default idle time before an instance stops, e.g. 10m, 2s, 600. Default: 10m.")
    Duration keepAlive;

    @Option(names = "--max-code-mb", paramLabel = "MB",
            description = "Largest code package accepted, in MB. Default: 50.")
    Integer maxCodeMb;

    @Option(names = "--max-instances", paramLabel = "N",
            description = "Most live instances on this node, over all functions. Default: 64.")
    Integer maxInstances;

    @Option(names = "--stem-cells", paramLabel = "N",
            description = "Pre-started runtimes kept per memory size in demand, for fast cold starts; 0 turns them off. Default: 1.")
    Integer stemCells;

    @Option(names = "--smtp", paramLabel = "URL",
            description = "Mail relay for end users' mail (verification, reset, welcome): smtp://HOST:PORT, "
                    + "or smtps://USER:PASS@HOST:PORT for TLS with a login. Default: none (mail waits in the "
                    + "outbox until a relay is set, here or per project).")
    String smtp;

    @Option(names = "--blob-store", paramLabel = "URL",
            description = {"Where object storage keeps its bytes. Default: files under the data dir.",
                    "s3://BUCKET[/PREFIX]?endpoint=URL&region=REGION: a bucket of any S3-compatible service "
                            + "that nodes may share (the endpoint defaults to AWS's for the region), with "
                            + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) from the "
                            + "environment; serve stops when the bucket does not answer."})
    String blobStore;

    @Option(names = "--db", paramLabel = "JDBC_URL",
            description = "PostgreSQL JDBC URL. Default: an SQLite file in the data dir.")
    String jdbcUrl;

    @Option(names = "--cluster-bus", paramLabel = "URL",
            description = {"How nodes sharing one --db tell each other of document writes, so that realtime "
                    + "subscriptions on every node get a write at once: nats://HOST:PORT (or tls://HOST:PORT; "
                    + "nats://USER:PASS@HOST:PORT with a login). serve stops when the bus does not answer at start; "
                    + "later losses are logged and it reconnects.",
                    "Default: none (a node alone; subscriptions see other nodes' writes within a second)."})
    String clusterBus;

    @Option(names = "--sandbox", paramLabel = "MODE", defaultValue = Sandboxes.BWRAP,
            description = {"bwrap: every instance in bubblewrap with cgroup limits; without it serve stops and says what to install.",
                    Sandboxes.NO_ISOLATION + ": plain processes of the node, NOT isolated, for code you trust completely; "
                            + "every response and /healthz say so. Default: ${DEFAULT-VALUE}."})
    String sandbox;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain to serve HTTPS with (HTTP/2 offered); with --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert, unencrypted.")
    Path tlsKey;

    @Option(names = "--insecure-http",
            description = "Serve plain HTTP on a non-loopback --host. Without it such a node serves HTTPS, "
                    + "with a self-signed certificate made on first start when no --tls-cert is given.")
    boolean insecureHttp;

    @Option(names = "--region", paramLabel = "REGION",
            description = "What function instances see as AWS_REGION. Default: us-east-1.")
    String region;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "The node's own log lines from this level on: error, warn, info, debug or trace. "
                    + "Libraries log warnings and errors only, unless --verbose. Default: ${DEFAULT-VALUE}.")
    LogLevel logLevel;

    @picocli.CommandLine.ParentCommand
    Main main;

    ServeCommand(Cli cli) {
        this.cli = cli;
    }

    PlatformConfig config() {
        if (port < 0 || port > 65535) {
            throw CliException.usage("--port must be 0..65535, not " + port);
        }
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:")) {
            throw CliException.usage("--db must be a JDBC URL (jdbc:postgresql://...), not '" + jdbcUrl + "'");
        }
        if (maxCodeMb != null && (maxCodeMb < 1 || maxCodeMb > 10_240)) {
            throw CliException.usage("--max-code-mb must be 1..10240, not " + maxCodeMb);
        }
        if (maxInstances != null && (maxInstances < 1 || maxInstances > 10_000)) {
            throw CliException.usage("--max-instances must be 1..10000, not " + maxInstances);
        }
        if (stemCells != null && (stemCells < 0 || stemCells > 64)) {
            throw CliException.usage("--stem-cells must be 0..64, not " + stemCells);
        }
        if (!sandbox.equals(Sandboxes.BWRAP) && !sandbox.equals(Sandboxes.NO_ISOLATION)) {
            throw CliException.usage(sandbox.equals("process") || sandbox.equals("auto")
                    ? "--sandbox " + sandbox + " no longer exists: nodes never fall back to plain processes; use --sandbox "
                            + Sandboxes.NO_ISOLATION + " to run functions WITHOUT isolation"
                    : "--sandbox must be " + Sandboxes.BWRAP + " or " + Sandboxes.NO_ISOLATION + ", not '" + sandbox + "'");
        }
        EdgeTls tls;
        try {
            tls = new EdgeTls(resolve(tlsCert), resolve(tlsKey), insecureHttp);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        if (region != null && !region.matches("[a-z0-9-]{1,32}")) {
            throw CliException.usage("--region must be a region name like eu-west-1, not '" + region + "'");
        }
        if (smtp != null) {
            try {
                dev.cumulus.mail.SmtpServer.parse(smtp);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--smtp: " + e.getMessage());
            }
        }
        if (clusterBus != null) {
            requireClusterBusUrl(clusterBus);
        }
        dev.cumulus.storage.S3BlobStore.Settings blobs = null;
        if (blobStore != null) {
            try {
                blobs = dev.cumulus.storage.S3BlobStore.Settings.parse(blobStore, cli.env);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--blob-store: " + e.getMessage());
            }
        }
        PlatformConfig d = PlatformConfig.defaults();
        Path dir = Target.dataDir(dataDir, cli.env, cli.cwd);
        String runtime = System.getProperty(RUNTIME_JAR_PROPERTY);
        Path runtimeJar = runtime == null || runtime.isBlank() ? d.runtimeJar() : Path.of(runtime).toAbsolutePath();
        if (runtimeJar != null && !Files.isRegularFile(runtimeJar)) {
            throw new CliException("the Java runtime jar " + runtimeJar + " (-D" + RUNTIME_JAR_PROPERTY
                    + ") does not exist; rebuild the distribution with bin/cumulus");
        }
        return new PlatformConfig(
                host != null ? host : d.host(),
                port,
                dir,
                jdbcUrl != null ? jdbcUrl : d.jdbcUrl(),
                keepAlive != null ? keepAlive : d.defaultKeepAlive(),
                maxCodeMb != null ? maxCodeMb * 1024L * 1024 : d.maxCodeBytes(),
                maxInstances != null ? maxInstances : d.maxInstances(),
                d.queueDepth(),
                d.queueTimeout(),
                sandbox,
                runtimeJar,
                stemCells != null ? stemCells : d.stemCells(),
                d.aotDir(),
                region != null ? region : d.region(),
                d.async(),
                tls,
                smtp,
                blobs,
                clusterBus);
    }

    private static void requireClusterBusUrl(String url) {
        java.net.URI uri;
        try {
            uri = new java.net.URI(url);
        } catch (java.net.URISyntaxException e) {
            throw CliException.usage("--cluster-bus must be a NATS URL like nats://127.0.0.1:4222, not '" + url + "'");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("nats") || uri.getScheme().equals("tls"))
                || uri.getHost() == null) {
            throw CliException.usage("--cluster-bus must be a NATS URL like nats://127.0.0.1:4222 (or tls://...), not '"
                    + url + "'");
        }
    }

    private Path resolve(Path file) {
        return file == null ? null : cli.cwd.resolve(file).normalize();
    }

    /**
     * slf4j-simple reads these once, when the first logger is made, so this runs before the node
     * starts. -D options (CUMULUS_JAVA_OPTS) win over them. The node's lines carry a timestamp;
     * libraries (Jetty, Hikari, Flyway) are quiet unless asked.
     */
    static void configureLogging(LogLevel level, boolean verbose) {
        LogLevel libraries = verbose || level.compareTo(LogLevel.warn) < 0 ? level : LogLevel.warn;
        Map<String, String> settings = Map.of(
                "org.slf4j.simpleLogger.defaultLogLevel", libraries.name(),
                "org.slf4j.simpleLogger.log.dev.cumulus", level.name(),
                "org.slf4j.simpleLogger.showDateTime", "true",
                "org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS",
                "org.slf4j.simpleLogger.showThreadName", verbose ? "true" : "false",
                "org.slf4j.simpleLogger.showShortLogName", verbose ? "false" : "true");
        settings.forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
    }

    @Override
    public Integer call() throws Exception {
        PlatformConfig config = config();
        configureLogging(logLevel, main != null && main.verbose);
        Platform platform;
        try {
            platform = Platform.start(config);
        } catch (SandboxUnavailableException e) {
            cli.err.print(e.getMessage()); // one screen: what is missing, the fix, the doctor's findings
            cli.err.flush();
            return CliException.ERROR;
        }
        AtomicBoolean closed = new AtomicBoolean();
        Runnable close = () -> {
            if (closed.compareAndSet(false, true)) {
                cli.err.println("stopping: draining in-flight invocations...");
                cli.err.flush();
                platform.close();
                cli.err.println("stopped");
                cli.err.flush();
            }
        };

        Path dir = config.dataDir();
        cli.out.println("Cumulus is running at " + platform.url());
        if (platform.rootTokenCreated()) {
            cli.out.println("  root token: " + platform.rootToken());
            cli.out.println("              saved in " + platform.rootTokenFile() + " (mode 600); not shown again");
        } else if (Files.exists(platform.rootTokenFile())) {
            cli.out.println("  root token: in " + platform.rootTokenFile());
        } else {
            cli.out.println("  root token: not in the data dir (the node keeps only its hash); clients need "
                    + "--token or CUMULUS_TOKEN. Lost it? Stop the node, delete "
                    + dir.resolve(RootToken.HASH_FILE) + " and start it again for a new one");
        }
        cli.out.println("  data dir:   " + dir);
        cli.out.println("  sandbox:    " + platform.sandbox().kind()
                + (platform.sandbox().isolated() ? "" : " (NOT isolated: functions run as plain processes of this node;"
                        + " every response carries X-Cumulus-Sandbox: none)"));
        if (platform.url().getScheme().equals("https")) {
            cli.out.println("  tls:        clients pin " + dir.resolve(EdgeTls.PUBLISHED_CERT) + " (HTTP/2 offered)");
        }
        if (!dir.equals(cli.cwd.resolve(Target.DEFAULT_DATA_DIR))) {
            cli.out.println("clients in other directories: export CUMULUS_DATA=" + dir);
        }
        cli.out.println("Press Ctrl+C to stop.");
        cli.out.flush();

        CountDownLatch signal = cli.shutdownSignal;
        if (signal != null) {
            try {
                signal.await();
            } finally {
                close.run();
            }
            return 0;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(close, "cumulus-shutdown"));
        new CountDownLatch(1).await(); // until SIGINT/SIGTERM runs the hook and the JVM exits
        return 0;
    }
}
