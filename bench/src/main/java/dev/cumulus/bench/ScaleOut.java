package dev.cumulus.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The measuring side of bench/scale-out: starts a node of the build under test (a fresh data dir,
 * its own port), deploys, fires the calls, watches the node, stops it with everything it started.
 * One JVM on the load side, so the only processes started per call are the node's own.
 *
 * <pre>
 * burst DIST AOT_DIR TESTFN_JAR N MS          N concurrent calls of a Sleep function's URL (?ms=MS) from zero
 * cold  EVENT N KIND=JAR=HANDLER... -- LABEL=DIST=AOT_DIR...
 *                                             N cold starts of each KIND's HANDLER on a node of each build, one
 *                                             node per build and kind, side by side and taking turns, each
 *                                             start after scale-to-zero and with a stem cell waiting
 * </pre>
 *
 * AOT_DIR keeps the runtime's AOT cache of the build between its nodes, as a restarted node keeps
 * it in its data dir: a fresh one would train it during the measurement (seconds of CPU). Every
 * measurement begins once the cache is there and a stem cell waits.
 *
 * Prints {@code key=value} lines for the script's report; progress goes to stderr.
 */
public final class ScaleOut {
    private static final Pattern COUNTS =
            Pattern.compile("\"instances\":\\{\"starting\":(\\d+),\"idle\":(\\d+),\"busy\":(\\d+)}");
    /**
     * A new stem cell warms its runtime up on itself before it asks for a function, and nothing
     * outside it says when that is done: the benchmark gives it this long (as bench/run does).
     */
    private static final long CELL_WARM_UP_MS = 1500;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ScaleOut() {}

    /** The nodes running now, stopped with their processes if this JVM is stopped (Ctrl-C, SIGTERM). */
    private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process node : RUNNING) {
                List<ProcessHandle> tree = node.descendants().toList();
                node.destroyForcibly();
                tree.forEach(ProcessHandle::destroyForcibly);
            }
        }));
        switch (args[0]) {
            case "burst" -> {
                Path dist = Path.of(args[1]);
                Path aot = Path.of(args[2]);
                int n = Integer.parseInt(args[4]);
                // room for the burst and the stem cell; the default project has no instance quota
                try (Node node = Node.start(dist, aot, "--max-instances", Integer.toString(n + 8))) {
                    node.deploy("sleep", Path.of(args[3]), "dev.cumulus.testfn.Sleep",
                            ",\"maxInstances\":" + n + ",\"keepAliveSeconds\":120,\"timeoutSeconds\":300");
                    burst(node, "sleep", n, Long.parseLong(args[5]));
                }
            }
            case "cold" -> {
                // cold EVENT N KIND=JAR=HANDLER... -- LABEL=DIST=AOT_DIR...
                int split = List.of(args).indexOf("--");
                List<String> labels = new ArrayList<>();
                List<Node> nodes = new ArrayList<>();
                try {
                    // a node per build and kind: each node's stem cell is then prepared with the code
                    // of the one function it serves (SpareTrees), as on a node with one busy function
                    for (int i = split + 1; i < args.length; i++) {
                        String[] build = args[i].split("=", 3);
                        for (int k = 3; k < split; k++) {
                            String[] kind = args[k].split("=", 3);
                            Node node = Node.start(Path.of(build[1]), Path.of(build[2]), "--stem-cells", "1");
                            nodes.add(node);
                            labels.add(build[0] + " " + kind[0]);
                            node.deploy("cold", Path.of(kind[1]), kind[2], ",\"keepAliveSeconds\":1");
                        }
                    }
                    cold(labels, nodes, "cold", Integer.parseInt(args[2]), args[1]);
                } finally {
                    for (Node node : nodes) {
                        node.close();
                    }
                }
            }
            default -> throw new IllegalArgumentException("burst or cold, not " + args[0]);
        }
    }

    /**
     * Each call holds its instance for {@code ms}, so with concurrency 1 every call has its own
     * instance: the moment instance i became ready is when its call ended less {@code ms} (the
     * call's own overhead is a millisecond or two). The node's instance counts, polled every 20 ms,
     * are the cross-check.
     */
    private static void burst(Node nodeProcess, String function, int n, long ms) throws Exception {
        URI node = nodeProcess.url;
        String token = nodeProcess.token;
        long nodePid = nodeProcess.process.pid();
        long[] cpu0 = cpu(nodePid);
        long t0 = System.nanoTime();
        AtomicBoolean done = new AtomicBoolean();
        List<long[]> polled = new ArrayList<>(); // {ms since t0, ready}
        Thread poller = Thread.ofPlatform().daemon().start(() -> {
            while (!done.get()) {
                int[] c = counts(node, token, function);
                if (c != null) {
                    synchronized (polled) {
                        polled.add(new long[] {(System.nanoTime() - t0) / 1_000_000, c[1] + c[2]});
                    }
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        double[] readyAt = new double[n];
        java.util.Map<Integer, String> failures = new java.util.concurrent.ConcurrentHashMap<>();
        int failed = 0;
        String firstFailure = null;
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<double[]>> calls = new ArrayList<>();
            URI url = node.resolve("/fn/" + function + "/?ms=" + ms);
            // the edge lets one client address have 32 public requests in flight (Admission): the
            // burst comes from 25 calls per loopback address, as from several clients
            List<HttpClient> clients = new ArrayList<>();
            for (int a = 0; a < (n + 24) / 25; a++) {
                clients.add(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                        .localAddress(java.net.InetAddress.getByName("127.0.0." + (a + 2))).build());
            }
            for (int i = 0; i < n; i++) {
                HttpClient client = clients.get(i / 25);
                calls.add(callers.submit(() -> {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(3))
                            .GET().build(), HttpResponse.BodyHandlers.ofString());
                    double end = (System.nanoTime() - t0) / 1e6;
                    if (r.statusCode() != 200) {
                        failures.putIfAbsent(r.statusCode(), r.body());
                    }
                    return new double[] {r.statusCode(), end - ms, r.body().length()};
                }));
            }
            for (int i = 0; i < n; i++) {
                double[] r;
                try {
                    r = calls.get(i).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    r = new double[] {-1, Double.NaN, 0};
                    firstFailure = firstFailure == null ? e.getCause().toString() : firstFailure;
                }
                if (r[0] != 200) {
                    failed++;
                    firstFailure = firstFailure == null ? "status " + (int) r[0] : firstFailure;
                }
                readyAt[i] = r[1];
            }
        }
        double wallMs = (System.nanoTime() - t0) / 1e6;
        long[] cpu1 = cpu(nodePid);
        done.set(true);
        poller.join();
        Arrays.sort(readyAt);
        int half = (n + 1) / 2;
        out("calls", n);
        out("failed", failed);
        if (firstFailure != null) {
            out("first_failure", firstFailure.replace(' ', '_'));
            failures.forEach((status, body) -> System.err.println("[scale-out] " + status + ": " + body));
        }
        out("ready_half_ms", fmt(readyAt[half - 1]));
        out("ready_all_ms", fmt(readyAt[n - 1]));
        out("ready_first_ms", fmt(readyAt[0]));
        out("wall_ms", fmt(wallMs));
        out("polled_half_ms", firstPolled(polled, half));
        out("polled_all_ms", firstPolled(polled, n));
        double ticks = 100.0; // USER_HZ
        out("cpu_machine_s", fmt((cpu1[0] - cpu0[0]) / ticks));
        out("cpu_node_tree_s", fmt((cpu1[1] - cpu0[1]) / ticks));
        out("cpu_per_instance_s", fmt((cpu1[1] - cpu0[1]) / ticks / n));
        StringBuilder curve = new StringBuilder();
        for (int k = 10; k <= n; k += 10) {
            curve.append(curve.isEmpty() ? "" : ",").append(k).append(':').append(fmt(readyAt[k - 1]));
        }
        out("ready_curve", curve);
    }

    private static String firstPolled(List<long[]> polled, int k) {
        synchronized (polled) {
            for (long[] p : polled) {
                if (p[1] >= k) {
                    return Long.toString(p[0]);
                }
            }
        }
        return "never";
    }

    /**
     * Cold starts end-to-end through the invoke API, each after the function is at zero and a
     * stem cell waits. The nodes (of every build and handler kind) run side by side and take
     * turns, one cold start each in an order that rotates, so that what else the machine does
     * falls on all of them alike, and ratios between kinds are as fair as ratios between builds.
     */
    private static void cold(List<String> labels, List<Node> nodes, String function, int n, String event)
            throws Exception {
        int k = nodes.size();
        List<List<Double>> times = new ArrayList<>();
        int[] cells = new int[k];
        for (int b = 0; b < k; b++) {
            times.add(new ArrayList<>());
        }
        // one cold start first on each that is not counted: the node unpacks the code on the first one
        for (int i = -1; i < n; i++) {
            for (int j = 0; j < k; j++) {
                int b = Math.floorMod(i + j, k);
                Node node = nodes.get(b);
                boolean cell = awaitColdReady(node, function);
                double ms = coldCall(node, function, event);
                if (i >= 0) {
                    cells[b] += cell ? 1 : 0;
                    times.get(b).add(ms);
                    System.err.printf(Locale.ROOT, "[scale-out] %s %s cold start #%d: %.1f ms%n", labels.get(b),
                            function, i + 1, ms);
                }
            }
        }
        for (int b = 0; b < k; b++) {
            String label = labels.get(b) + " ";
            List<Double> sorted = times.get(b).stream().sorted().toList();
            out(label + "n", n);
            out(label + "with_cell", cells[b]);
            out(label + "p50_ms", fmt(sorted.get((int) Math.ceil(0.5 * n) - 1)));
            out(label + "p90_ms", fmt(sorted.get((int) Math.ceil(0.9 * n) - 1)));
            out(label + "min_ms", fmt(sorted.getFirst()));
            out(label + "max_ms", fmt(sorted.getLast()));
            out(label + "all_ms", String.join(",", times.get(b).stream().map(ScaleOut::fmt).toList()));
        }
    }

    /** Until the function is at zero instances and a stem cell waits (up to 10 s); whether one did. */
    private static boolean awaitColdReady(Node node, String function) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (total(counts(node.url, node.token, function)) != 0) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException(function + " did not scale to zero within 60 s");
            }
            Thread.sleep(100);
        }
        long cellUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        boolean cell;
        while (!(cell = waitingCell(node.process.pid())) && System.nanoTime() < cellUntil) {
            Thread.sleep(100);
        }
        Thread.sleep(CELL_WARM_UP_MS);
        return cell;
    }

    /** One invoke that must be a cold start; its end-to-end milliseconds. */
    private static double coldCall(Node node, String function, String event) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(node.url.resolve("/v1/functions/" + function + "/invoke"))
                .header("Authorization", "Bearer " + node.token).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(event)).build();
        long t = System.nanoTime();
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        double ms = (System.nanoTime() - t) / 1e6;
        if (r.statusCode() != 200 || !"true".equals(r.headers().firstValue("X-Cumulus-Cold-Start").orElse(""))) {
            throw new IllegalStateException("cold call answered " + r.statusCode() + " cold="
                    + r.headers().firstValue("X-Cumulus-Cold-Start").orElse("?") + ": " + r.body());
        }
        return ms;
    }

    /** A java process under the node whose environment names no function: a waiting stem cell. */
    private static boolean waitingCell(long nodePid) {
        return ProcessHandle.of(nodePid).stream().flatMap(ProcessHandle::descendants)
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .anyMatch(p -> {
                    try {
                        String env = Files.readString(Path.of("/proc", Long.toString(p.pid()), "environ"));
                        return env.contains("CUMULUS_STEM_CELL=1") && !env.contains("AWS_LAMBDA_FUNCTION_NAME=");
                    } catch (IOException gone) {
                        return false;
                    }
                });
    }

    private static int total(int[] c) {
        return c == null ? -1 : c[0] + c[1] + c[2];
    }

    /** starting, idle, busy; null if the node did not answer. */
    private static int[] counts(URI node, String token, String function) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(node.resolve("/v1/functions/" + function))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = COUNTS.matcher(r.body());
            return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3))} : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Busy clock ticks of the whole machine (/proc/stat) and of the node with its descendants. */
    private static long[] cpu(long nodePid) throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < f.length; i++) {
            if (i != 4 && i != 5) { // idle, iowait
                busy += Long.parseLong(f[i]);
            }
        }
        long tree = ticks(nodePid) + ProcessHandle.of(nodePid).stream().flatMap(ProcessHandle::descendants)
                .mapToLong(p -> ticks(p.pid())).sum();
        return new long[] {busy, tree};
    }

    /** utime + stime + cutime + cstime: a process's own CPU and that of its children it has reaped. */
    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static void out(String key, Object value) {
        System.out.println(key + "=" + value);
    }

    /** A node of the build in {@code dist}, started as bin/cumulus serve starts it. */
    private record Node(Process process, Path data, Path aot, URI url, String token) implements AutoCloseable {
        static Node start(Path dist, Path aot, String... serveArgs) throws Exception {
            Path data = Files.createTempDirectory("cumulus-scale-out");
            Files.createDirectories(aot);
            copy(aot, Files.createDirectories(data.resolve("aot")));
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-XX:+UseCompactObjectHeaders", "-XX:+ExitOnOutOfMemoryError",
                    "-cp", dist.resolve("lib") + "/*",
                    "-Dcumulus.runtime.jar=" + dist.resolve("runtime/cumulus-runtime.jar"),
                    "-Dcumulus.stderr.tty=false",
                    "dev.cumulus.cli.Main", "serve", "--port", "0", "--data", data.toString()));
            command.addAll(List.of(serveArgs));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(data.resolveSibling(data.getFileName() + ".log").toFile()).start();
            RUNNING.add(process);
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < until) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the node exited during start; see " + data + ".log");
                }
                Path url = data.resolve("url");
                Path token = data.resolve("root-token");
                if (Files.exists(url) && Files.exists(token) && Files.readString(token).trim().startsWith("cmls_")) {
                    Node node = new Node(process, data, aot, URI.create(Files.readString(url).trim()),
                            Files.readString(token).trim());
                    try {
                        if (HTTP.send(HttpRequest.newBuilder(node.url.resolve("/healthz")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                            node.settle();
                            return node;
                        }
                    } catch (IOException notYet) {
                        // listening soon
                    }
                }
                Thread.sleep(50);
            }
            process.destroyForcibly();
            throw new IllegalStateException("the node did not start within 60 s");
        }

        void deploy(String name, Path jar, String handler, String extraSettings) throws Exception {
            HttpResponse<String> code = HTTP.send(HttpRequest.newBuilder(url.resolve("/v1/code"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/zip")
                    .POST(HttpRequest.BodyPublishers.ofFile(jar)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher sha = Pattern.compile("\"sha256\":\"([0-9a-f]+)\"").matcher(code.body());
            if (!sha.find()) {
                throw new IllegalStateException("upload failed: " + code.body());
            }
            HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(url.resolve("/v1/functions/" + name))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"handler\":\"" + handler + "\",\"public\":true,"
                            + "\"codeSha256\":\"" + sha.group(1) + "\"" + extraSettings + "}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (put.statusCode() / 100 != 2) {
                throw new IllegalStateException("deploy failed: " + put.statusCode() + " " + put.body());
            }
        }

        /** Until the runtime's AOT cache is trained and a stem cell waits: what a node that has run a while has. */
        private void settle() throws Exception {
            long until = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (!(trained() && waitingCell(process.pid()))) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("no AOT cache or no stem cell within 180 s; see " + data + ".log");
                }
                Thread.sleep(200);
            }
            Thread.sleep(CELL_WARM_UP_MS);
        }

        private boolean trained() throws IOException {
            try (var files = Files.list(data.resolve("aot"))) {
                return files.anyMatch(f -> f.getFileName().toString().endsWith(".sha256"));
            }
        }

        private static void copy(Path from, Path to) throws IOException {
            try (var files = Files.list(from)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f)) {
                        Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }

        /** SIGTERM to the node (it stops its instances), then whatever is left of its tree is killed. */
        @Override
        public void close() throws Exception {
            List<ProcessHandle> tree = process.descendants().toList();
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            tree.forEach(ProcessHandle::destroyForcibly);
            RUNNING.remove(process);
            Files.deleteIfExists(data.resolveSibling(data.getFileName() + ".log"));
            if (trained()) {
                copy(data.resolve("aot"), aot);
            }
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
