package dev.cumulus.aot;

import dev.cumulus.files.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDK AOT cache of the Java runtime (ADR 0007): one file per JDK build, runtime jar content and
 * instance JVM flags, trained by {@code dev.cumulus.runtime.Training} in the background and handed
 * to instance launches only once it has been checked.
 *
 * <p>Nothing here may stop an instance from starting. Until a checked cache exists, and as soon as
 * the file no longer looks like the one that was checked, {@link #jvmFlags} returns the launch
 * flags unchanged. This matters because JDK 25 falls back by itself only from a cache it cannot map
 * at all (missing file, garbage header): a cache damaged further in ends the JVM with "Unable to use
 * AOT cache" even in the default {@code -XX:AOTMode=auto}, and {@code -XX:+VerifySharedSpaces}
 * would catch that only by checksumming the whole file at every start (10-20 ms here).
 */
public final class AotCache implements AutoCloseable {
    /** Where the lead mounts {@link #directory()} read-only inside every sandbox. */
    public static final String SANDBOX_DIR = "/opt/cumulus/aot";

    static final String TRAINING_CLASS = "dev.cumulus.runtime.Training";
    static final int TRAINING_INVOCATIONS = 300;
    /** The probe only has to show the cache maps and serves the runtime's classes. */
    static final int PROBE_INVOCATIONS = 3;

    /** Printed by the training when its first invocation has been answered (see Training.FIRST_ANSWER). */
    static final String FIRST_ANSWER = "cumulus-training: first answer";
    /** Written by {@code -Xlog:class+load} when the runtime's entry class came out of the cache. */
    static final String MAPPED_SIGNAL = "dev.cumulus.runtime.Main source: shared objects file";

    private static final Logger LOG = LoggerFactory.getLogger(AotCache.class);
    private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);
    private static final String PREFIX = "runtime-";

    /** The checked cache and what it looked like then, to notice a later change with one stat. */
    private record Checked(Path file, long size, FileTime modified) {}

    private final Path dir;
    private final Path runtimeJar;
    private final Path javaHome;
    private final List<String> trainingFlags;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object lock = new Object();
    private volatile Checked checked;
    private volatile Process running;
    private CompletableFuture<Optional<Path>> ready;
    private String key;

    private AotCache(Path dir, Path runtimeJar, Path javaHome, List<String> instanceFlags) {
        this.dir = dir;
        this.runtimeJar = runtimeJar;
        this.javaHome = javaHome;
        this.trainingFlags = withoutShare(instanceFlags);
    }

    /**
     * Starts finding or building the cache on a background thread and returns at once.
     *
     * @param dir the node's cache directory (created if missing); other runtimes' caches in it are removed
     * @param runtimeJar the jar instances run with {@code -cp}
     * @param javaHome the JDK instances run
     * @param instanceFlags the JVM flags of an instance launch (one representative memory size is
     *     enough: heap and metaspace limits do not invalidate a cache, the GC and CPU features may)
     */
    public static AotCache prepare(Path dir, Path runtimeJar, Path javaHome, List<String> instanceFlags) {
        AotCache cache = new AotCache(dir.toAbsolutePath(), runtimeJar.toAbsolutePath(), javaHome.toAbsolutePath(),
                List.copyOf(instanceFlags));
        cache.refresh();
        return cache;
    }

    /** Completes with the checked cache file, or empty when the node runs without one. Never fails. */
    public CompletableFuture<Optional<Path>> ready() {
        synchronized (lock) {
            return ready;
        }
    }

    /** The directory to mount read-only at {@link #SANDBOX_DIR}. */
    public Path directory() {
        return dir;
    }

    /** The checked cache file on the host, if there is one right now. */
    public Optional<Path> file() {
        Checked c = usable();
        return c == null ? Optional.empty() : Optional.of(c.file());
    }

    /**
     * The flags for one instance launch: {@code base} itself while there is no usable cache, else
     * {@code base} with {@code -XX:AOTCache} added and the {@code -Xshare} flags (which the JVM
     * refuses next to it) removed. {@code visibleDir} is where {@link #directory()} appears inside
     * the sandbox. Costs one stat, so it can be called on every launch.
     */
    public List<String> jvmFlags(List<String> base, String visibleDir) {
        Checked c = usable();
        if (c == null) {
            return base;
        }
        List<String> flags = withoutShare(base);
        flags.add("-XX:AOTCache=" + visibleDir + "/" + c.file().getFileName());
        // The node checked the cache; a rejection would only print JVM internals into the
        // function's log stream, and the JVM carries on without the cache anyway.
        flags.add("-Xlog:aot=off");
        return flags;
    }

    /** {@link #jvmFlags(List, String)} for a launch outside a sandbox, where the host path is visible. */
    public List<String> jvmFlags(List<String> base) {
        return jvmFlags(base, dir.toString());
    }

    /**
     * The cache's name for a JDK build, a runtime jar's content and the JVM flags. Content, not
     * path or mtime: JDK 25 was seen using a cache with a rebuilt jar of another size and mtime
     * without complaint, which would serve stale runtime classes.
     */
    static String key(Path javaHome, Path runtimeJar, List<String> flags) throws IOException {
        MessageDigest sha = sha256();
        sha.update(jdkBuild(javaHome).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(HexFormat.of().parseHex(sha256(runtimeJar)));
        for (String flag : withoutShare(flags)) {
            sha.update((byte) 0);
            sha.update(flag.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 12);
    }

    /** Stops a training or probe in progress; the node is going away. */
    @Override
    public void close() {
        closed.set(true);
        Process p = running;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    /** Null unless a checked cache exists and still has the size and mtime it was checked with. */
    private Checked usable() {
        Checked c = checked;
        if (c == null) {
            return null;
        }
        try {
            BasicFileAttributes now = Files.readAttributes(c.file(), BasicFileAttributes.class);
            if (now.size() == c.size() && now.lastModifiedTime().equals(c.modified())) {
                return c;
            }
        } catch (IOException e) {
            // gone: same as changed
        }
        LOG.warn("AOT cache {} changed or vanished after it was checked; instances start without it until it is rebuilt",
                c.file());
        discard(c);
        return null;
    }

    private void discard(Checked c) {
        synchronized (lock) {
            if (checked != c) {
                return; // someone else already noticed
            }
            checked = null;
        }
        refresh();
    }

    private void refresh() {
        CompletableFuture<Optional<Path>> future = new CompletableFuture<>();
        synchronized (lock) {
            if (ready != null && !ready.isDone()) {
                return;
            }
            ready = future;
        }
        Thread.ofPlatform().daemon().name("aot-cache").start(() -> {
            Optional<Path> result = Optional.empty();
            try {
                result = Optional.ofNullable(findOrBuild());
            } catch (IOException | RuntimeException e) {
                LOG.warn("No AOT cache for the Java runtime; instances start without it: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                future.complete(result);
            }
        });
    }

    private Path findOrBuild() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        key = key(javaHome, runtimeJar, trainingFlags);
        Path file = dir.resolve(PREFIX + key + ".aot");
        Path digest = dir.resolve(PREFIX + key + ".sha256");
        if (Files.isRegularFile(file)) {
            String problem = intact(file, digest);
            if (problem == null) {
                problem = probe(file);
            }
            if (problem == null) {
                return accept(file);
            }
            LOG.warn("Discarding AOT cache {} ({}); training a new one", file, problem);
            Files.deleteIfExists(digest);
            Files.deleteIfExists(file);
        }
        if (closed.get()) {
            return null;
        }
        long start = System.nanoTime();
        Path fresh = train();
        if (fresh == null) {
            return null;
        }
        try {
            String problem = probe(fresh);
            if (problem != null) {
                LOG.warn("The freshly trained AOT cache does not work ({}); instances start without one", problem);
                return null;
            }
            String sum = sha256(fresh);
            Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            // The digest goes last: a crash in between leaves a cache without one, which is retrained.
            Files.writeString(digest, sum + "\n");
        } finally {
            Files.deleteIfExists(fresh);
        }
        LOG.info("Trained the AOT cache for the Java runtime in {} ms: {} ({} MB)",
                (System.nanoTime() - start) / 1_000_000, file, Files.size(file) >> 20);
        removeOthers(file.getFileName().toString(), digest.getFileName().toString());
        return accept(file);
    }

    private Path accept(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        checked = new Checked(file, a.size(), a.lastModifiedTime());
        return file;
    }

    /** Null when the file still has the digest recorded when it was trained and checked. */
    private static String intact(Path file, Path digest) throws IOException {
        if (!Files.isRegularFile(digest)) {
            return "no digest recorded";
        }
        String expected = Files.readString(digest).trim();
        return expected.equals(sha256(file)) ? null : "content differs from the recorded digest";
    }

    /** Runs the training under {@code -XX:AOTCacheOutput}; returns the new file, or null. */
    private Path train() throws IOException, InterruptedException {
        Path out = dir.resolve(PREFIX + key + ".aot.training");
        Files.deleteIfExists(out);
        List<String> command = java(trainingFlags);
        command.add("-XX:AOTCacheOutput=" + out);
        command.addAll(List.of("-cp", runtimeJar.toString(), TRAINING_CLASS, Integer.toString(TRAINING_INVOCATIONS)));
        Run run = run(command, TRAINING_TIMEOUT);
        if (run.status != 0 || !Files.isRegularFile(out)) {
            if (closed.get()) {
                LOG.debug("AOT training stopped with the node (exit {})", run.status); // not a failure
            } else {
                LOG.warn("AOT training of the Java runtime failed (exit {}): {}", run.status, tail(run.output));
            }
            Files.deleteIfExists(out);
            return null;
        }
        return out;
    }

    /**
     * Null when a JVM with exactly the instance flags maps the cache ({@code -XX:AOTMode=on} makes
     * it refuse to start otherwise), loads the runtime from it and answers a few invocations.
     */
    String probe(Path file) throws IOException, InterruptedException {
        List<String> command = java(trainingFlags);
        command.addAll(List.of("-XX:AOTCache=" + file, "-XX:AOTMode=on", "-Xlog:class+load=info:stdout",
                "-cp", runtimeJar.toString(), TRAINING_CLASS, Integer.toString(PROBE_INVOCATIONS)));
        Run run = run(command, PROBE_TIMEOUT);
        if (run.status != 0) {
            return "a JVM using it exited with " + run.status + ": " + tail(run.output);
        }
        if (!run.output.contains(MAPPED_SIGNAL)) {
            return "a JVM using it loaded the runtime from the jar, not from the cache";
        }
        return null;
    }

    private record Run(int status, String output) {}

    private Run run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("cumulus-aot-");
        try {
            Path log = work.resolve("output.log");
            List<String> withWorkDir = new ArrayList<>(command);
            withWorkDir.add(work.resolve("training").toString());
            ProcessBuilder pb = new ProcessBuilder(withWorkDir).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).directory(work.toFile());
            // The JDK passes the training's flags to its assembly step through this variable;
            // one inherited from the node would leak into the cache's configuration.
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().remove("JDK_JAVA_OPTIONS");
            if (closed.get()) {
                return new Run(-1, "closed");
            }
            Process p = pb.start();
            running = p;
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor();
                    return new Run(-1, "timed out after " + timeout.toSeconds() + " s");
                }
            } finally {
                running = null;
            }
            return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            FileTrees.deleteQuietly(work); // a leftover in the temp dir is harmless
        }
    }

    private List<String> java(List<String> flags) {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.addAll(flags);
        return command;
    }

    /** Caches of older JDKs or runtime builds would only take disk space. */
    private void removeOthers(String keep, String keepDigest) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (!name.equals(keep) && !name.equals(keepDigest)) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            LOG.debug("Could not remove old AOT caches in {}: {}", dir, e.toString());
        }
    }

    /** {@code -XX:AOTCache} and {@code -XX:AOTCacheOutput} refuse to run next to any {@code -Xshare}. */
    private static List<String> withoutShare(List<String> flags) {
        List<String> out = new ArrayList<>(flags.size() + 2);
        for (String f : flags) {
            if (!f.startsWith("-Xshare:")) {
                out.add(f);
            }
        }
        return out;
    }

    /** The build, not just the version: two vendors' 25.0.3 are different JVMs. */
    private static String jdkBuild(Path javaHome) throws IOException {
        Properties release = new Properties();
        try (InputStream in = Files.newInputStream(javaHome.resolve("release"))) {
            release.load(in);
        }
        String build = release.getProperty("IMPLEMENTOR", "") + " " + release.getProperty("IMPLEMENTOR_VERSION", "")
                + " " + release.getProperty("JAVA_RUNTIME_VERSION", release.getProperty("JAVA_VERSION", ""));
        if (build.isBlank()) {
            throw new IOException(javaHome.resolve("release") + " names no Java version");
        }
        return build;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String tail(String output) {
        String s = output.strip();
        return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
    }

}
