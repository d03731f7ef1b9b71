package dev.cumulus.aot;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: the numbers in ADR 0007. Launch of an instance-like JVM (instance flags, runtime jar)
 * to its first answered invocation, with and without the cache, interleaved so both see the same
 * machine. Run: {@code java -cp <test classpath> dev.cumulus.aot.AotStartupMeasurement <runtime jar> [n]}.
 */
public final class AotStartupMeasurement {
    private AotStartupMeasurement() {}

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]).toAbsolutePath();
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path dir = Files.createTempDirectory("aot-measure-");
        try (AotCache cache = AotCache.prepare(dir, jar, javaHome, AotCacheTest.INSTANCE_FLAGS)) {
            long t0 = System.nanoTime();
            Path file = cache.ready().get(5, TimeUnit.MINUTES).orElseThrow();
            System.out.printf("cache %s, %d MB, trained and checked in %d ms%n", file.getFileName(),
                    Files.size(file) >> 20, (System.nanoTime() - t0) / 1_000_000);
            List<String> without = AotCacheTest.INSTANCE_FLAGS;
            List<String> with = cache.jvmFlags(without);
            double[] a = new double[n];
            double[] b = new double[n];
            launch(javaHome, jar, with); // one of each first, so that neither pays for a cold page cache
            launch(javaHome, jar, without);
            for (int i = 0; i < n; i++) {
                b[i] = launch(javaHome, jar, without);
                a[i] = launch(javaHome, jar, with);
            }
            Arrays.sort(a);
            Arrays.sort(b);
            System.out.printf("without cache: p50 %.1f ms, min %.1f, max %.1f%n", p50(b), b[0], b[n - 1]);
            System.out.printf("with cache:    p50 %.1f ms, min %.1f, max %.1f%n", p50(a), a[0], a[n - 1]);
            System.out.printf("ratio (p50 with / without): %.2f%n", p50(a) / p50(b));
        }
    }

    private static double p50(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Milliseconds from process start to the first answered invocation. */
    private static double launch(Path javaHome, Path jar, List<String> flags) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        command.addAll(flags);
        // A given work dir, as the cache's own training has: an instance creates no temp dir either.
        Path work = Files.createTempDirectory("aot-launch-");
        command.addAll(List.of("-cp", jar.toString(), AotCache.TRAINING_CLASS, "1", work.resolve("w").toString()));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        double ms = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (ms < 0 && line.equals(AotCache.FIRST_ANSWER)) {
                    ms = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        Files.deleteIfExists(work);
        if (p.waitFor() != 0 || ms < 0) {
            throw new IllegalStateException("training run failed: " + command);
        }
        return ms;
    }
}
