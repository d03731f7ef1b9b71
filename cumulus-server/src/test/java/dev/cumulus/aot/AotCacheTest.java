package dev.cumulus.aot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real JVMs, real training: what an instance launch gets from the cache, and when it gets nothing. */
class AotCacheTest {
    /** The flags of a 128 MB instance: the cache must work with the instances' own flags. */
    static final List<String> INSTANCE_FLAGS = dev.cumulus.scheduler.Scheduler.instanceJvmFlags(128);
    static final Duration TRAINING = Duration.ofMinutes(3);

    static Path runtimeJar;
    static Path javaHome;

    @TempDir
    static Path shared;

    /** One trained cache for the tests that only read it; training takes seconds. */
    static AotCache trained;

    @BeforeAll
    static void train() throws Exception {
        runtimeJar = Path.of(System.getProperty("cumulus.runtime.jar"));
        javaHome = Path.of(System.getProperty("java.home"));
        trained = AotCache.prepare(shared.resolve("aot"), runtimeJar, javaHome, INSTANCE_FLAGS);
        assertThat(trained.ready().get(TRAINING.toSeconds(), TimeUnit.SECONDS)).isPresent();
    }

    @Test
    void anInstanceJvmMapsTheTrainedCacheAndLoadsTheRuntimeFromIt() throws Exception {
        List<String> flags = trained.jvmFlags(INSTANCE_FLAGS);

        assertThat(flags).doesNotContain("-Xshare:auto")
                .contains("-XX:AOTCache=" + trained.file().orElseThrow())
                .containsAll(INSTANCE_FLAGS.stream().filter(f -> !f.startsWith("-Xshare")).toList());
        Run run = training(flags, "-Xlog:class+load=info:stdout");
        assertThat(run.status).as(run.output).isZero();
        assertThat(run.output).contains(AotCache.MAPPED_SIGNAL).contains("cumulus-training: first answer");
    }

    @Test
    void flagsNameTheCacheWhereTheSandboxSeesIt() {
        String name = trained.file().orElseThrow().getFileName().toString();

        assertThat(trained.jvmFlags(INSTANCE_FLAGS, AotCache.SANDBOX_DIR))
                .contains("-XX:AOTCache=" + AotCache.SANDBOX_DIR + "/" + name);
    }

    @Test
    void aCacheDamagedAfterItsCheckIsDroppedWithTheNextLaunch(@TempDir Path dir) throws Exception {
        Path aot = seeded(dir);
        AotCache cache = AotCache.prepare(aot, runtimeJar, javaHome, INSTANCE_FLAGS);
        Path file = cache.ready().get(TRAINING.toSeconds(), TimeUnit.SECONDS).orElseThrow();
        assertThat(cache.jvmFlags(INSTANCE_FLAGS)).contains("-XX:AOTCache=" + file);

        scribbleInTheMiddle(file);

        assertThat(cache.jvmFlags(INSTANCE_FLAGS)).isEqualTo(INSTANCE_FLAGS);
        cache.close();
        // the discovery started a retraining in the background: let it stop before the dir goes
        cache.ready().get(TRAINING.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aDamagedCacheIsDiscardedAndRetrainedAtTheNextStart(@TempDir Path dir) throws Exception {
        Path aot = seeded(dir);
        Path file = aot.resolve(trained.file().orElseThrow().getFileName());
        scribbleInTheMiddle(file);
        String damaged = AotCache.sha256(file);

        AotCache cache = AotCache.prepare(aot, runtimeJar, javaHome, INSTANCE_FLAGS);
        assertThat(cache.jvmFlags(INSTANCE_FLAGS)).as("nothing before it is checked").isEqualTo(INSTANCE_FLAGS);
        Optional<Path> rebuilt = cache.ready().get(TRAINING.toSeconds(), TimeUnit.SECONDS);

        assertThat(rebuilt).contains(file);
        assertThat(AotCache.sha256(file)).isNotEqualTo(damaged).isEqualTo(Files.readString(digestOf(file)).trim());
        assertThat(cache.probe(file)).isNull();
        assertThat(cache.jvmFlags(INSTANCE_FLAGS)).contains("-XX:AOTCache=" + file);
    }

    @Test
    void aMissingCacheFileMeansNoFlags(@TempDir Path dir) throws Exception {
        Path aot = seeded(dir);
        AotCache cache = AotCache.prepare(aot, runtimeJar, javaHome, INSTANCE_FLAGS);
        Path file = cache.ready().get(TRAINING.toSeconds(), TimeUnit.SECONDS).orElseThrow();
        assertThat(file.getParent()).as("reused, not retrained").isEqualTo(aot);

        Files.delete(file);

        assertThat(cache.jvmFlags(INSTANCE_FLAGS)).isEqualTo(INSTANCE_FLAGS);
        cache.close();
        // the discovery started a retraining in the background: let it stop before the dir goes
        cache.ready().get(TRAINING.toSeconds(), TimeUnit.SECONDS);
    }

    /** A cache dir holding a copy of the trained cache and its digest, as a previous node run leaves it. */
    private static Path seeded(Path dir) throws IOException {
        Path aot = Files.createDirectories(dir.resolve("aot"));
        Path source = trained.file().orElseThrow();
        Files.copy(source, aot.resolve(source.getFileName()));
        Files.copy(digestOf(source), digestOf(aot.resolve(source.getFileName())));
        return aot;
    }

    private static Path digestOf(Path cacheFile) {
        return cacheFile.resolveSibling(cacheFile.getFileName().toString().replace(".aot", ".sha256"));
    }

    @Test
    void aJvmGivenAGarbageCacheStillStartsAndServes(@TempDir Path dir) throws Exception {
        Path garbage = dir.resolve("garbage.aot");
        byte[] bytes = new byte[1 << 20];
        new Random(7).nextBytes(bytes);
        Files.write(garbage, bytes);
        List<String> flags = new ArrayList<>(INSTANCE_FLAGS);
        flags.remove("-Xshare:auto");
        flags.add("-XX:AOTCache=" + garbage);
        flags.add("-Xlog:aot=off");

        Run run = training(flags);

        assertThat(run.status).as(run.output).isZero();
        assertThat(run.output).contains("cumulus-training: first answer").doesNotContain("aot");
    }

    @Test
    void aJvmPointedAtAMissingCacheStillStartsAndServes(@TempDir Path dir) throws Exception {
        List<String> flags = new ArrayList<>(INSTANCE_FLAGS);
        flags.remove("-Xshare:auto");
        flags.add("-XX:AOTCache=" + dir.resolve("never-written.aot"));

        Run run = training(flags);

        assertThat(run.status).as(run.output).isZero();
    }

    @Test
    void theKeyFollowsTheJarsContentNotItsPathOrTime(@TempDir Path dir) throws Exception {
        String key = AotCache.key(javaHome, runtimeJar, INSTANCE_FLAGS);
        Path sameBytes = dir.resolve("elsewhere.jar");
        Files.copy(runtimeJar, sameBytes);
        Files.setLastModifiedTime(sameBytes, FileTime.fromMillis(0));
        Path rebuilt = dir.resolve("rebuilt.jar");
        withExtraEntry(runtimeJar, rebuilt);

        assertThat(AotCache.key(javaHome, sameBytes, INSTANCE_FLAGS)).isEqualTo(key);
        assertThat(AotCache.key(javaHome, rebuilt, INSTANCE_FLAGS)).isNotEqualTo(key);
    }

    @Test
    void theKeyFollowsTheJvmFlagsButIgnoresXshare() throws Exception {
        String key = AotCache.key(javaHome, runtimeJar, INSTANCE_FLAGS);
        List<String> parallel = INSTANCE_FLAGS.stream().map(f -> f.equals("-XX:+UseSerialGC") ? "-XX:+UseParallelGC" : f)
                .toList();
        List<String> noShare = INSTANCE_FLAGS.stream().filter(f -> !f.startsWith("-Xshare")).toList();

        assertThat(AotCache.key(javaHome, runtimeJar, parallel)).isNotEqualTo(key);
        assertThat(AotCache.key(javaHome, runtimeJar, noShare)).isEqualTo(key);
    }

    @Test
    void noUsableJdkMeansNoCacheAndNoFailure(@TempDir Path dir) throws Exception {
        AotCache cache = AotCache.prepare(dir.resolve("aot"), runtimeJar, dir.resolve("no-jdk-here"), INSTANCE_FLAGS);

        assertThat(cache.ready().get(30, TimeUnit.SECONDS)).isEmpty();
        assertThat(cache.jvmFlags(INSTANCE_FLAGS)).isEqualTo(INSTANCE_FLAGS);
    }

    /** Same size, new bytes and mtime: what a half-finished copy or a bad disk leaves behind. */
    private static void scribbleInTheMiddle(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] junk = new byte[64 * 1024];
            new Random(42).nextBytes(junk);
            raf.seek(raf.length() / 2);
            raf.write(junk);
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    }

    private static void withExtraEntry(Path jar, Path out) throws IOException {
        try (JarFile in = new JarFile(jar.toFile());
                JarOutputStream o = new JarOutputStream(Files.newOutputStream(out))) {
            for (JarEntry e : java.util.Collections.list(in.entries())) {
                o.putNextEntry(new JarEntry(e.getName()));
                in.getInputStream(e).transferTo(o);
                o.closeEntry();
            }
            o.putNextEntry(new JarEntry("build-id.txt"));
            o.write("another build".getBytes(StandardCharsets.UTF_8));
            o.closeEntry();
        }
    }

    record Run(int status, String output) {}

    private static Run training(List<String> flags, String... extra) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        command.addAll(flags);
        command.addAll(List.of(extra));
        command.addAll(List.of("-cp", runtimeJar.toString(), AotCache.TRAINING_CLASS, "5"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), output);
    }
}
