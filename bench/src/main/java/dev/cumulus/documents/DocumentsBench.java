package dev.cumulus.documents;

import dev.cumulus.async.CloudEvent;
import dev.cumulus.async.TopicSink;
import dev.cumulus.store.Database;
import dev.cumulus.web.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The document database's benchmark (bench/documents): single-document writes and point reads
 * per second through {@link Documents}, next to the same statements in raw JDBC as the floor, and
 * the latency of an indexed query over a collection of {@code --docs} documents, on SQLite and on
 * PostgreSQL, in one run on one machine. One client thread: the numbers are latency-bound, not a
 * throughput ceiling. PocketBase, the peer, ships as a release binary that this machine
 * cannot download, so the raw statements are the only comparison.
 */
public final class DocumentsBench {
    static final String POSTGRES_URL = System.getenv()
            .getOrDefault("CUMULUS_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    static final String P = "bench";

    public static void main(String[] args) throws Exception {
        int docs = 100_000;
        int ops = 3_000;
        int queries = 300;
        int subscribers = 1_000;
        int events = 100;
        List<String> engines = List.of("sqlite", "postgres");
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--docs" -> docs = Integer.parseInt(args[++i]);
                case "--ops" -> ops = Integer.parseInt(args[++i]);
                case "--queries" -> queries = Integer.parseInt(args[++i]);
                case "--engine" -> engines = List.of(args[++i]);
                case "--subscribers" -> subscribers = Integer.parseInt(args[++i]);
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --docs N --ops N --queries N --subscribers N --events N --engine sqlite|postgres --out FILE");
            }
        }
        StringBuilder report = new StringBuilder();
        report.append("# Document database benchmark\n\n")
                .append("One client thread on this machine (").append(Runtime.getRuntime().availableProcessors())
                .append(" cores); ").append(ops).append(" operations per row, an indexed query over ").append(docs)
                .append(" documents (").append(queries).append(" runs). SQLite runs with synchronous=FULL (a commit is"
                        + " an fsync), as the node does. PocketBase could not be run here (its release binary is not"
                        + " reachable), so the floor is the raw JDBC statement doing the same work.\n\n")
                .append("| engine | measure | Cumulus | raw JDBC floor | ratio |\n| --- | --- | --- | --- | --- |\n");
        for (String engine : engines) {
            run(engine, docs, ops, queries, subscribers, events, report);
        }
        System.out.print(report);
        if (out != null) {
            Files.writeString(out, report.toString());
            System.err.println("bench/documents: wrote " + out);
        }
    }

    private static void run(String engine, int docs, int ops, int queries, int subscribers, int events,
            StringBuilder report) throws Exception {
        Path dir = Files.createTempDirectory("cumulus-docbench");
        String schema = null;
        String url = null;
        if (engine.equals("postgres")) {
            schema = "bench_" + UUID.randomUUID().toString().replace("-", "");
            admin("CREATE SCHEMA " + schema);
            url = POSTGRES_URL + "&currentSchema=" + schema;
        }
        try (Database db = Database.open(url, dir)) {
            Documents documents = new Documents(db, new TopicSink() {
                @Override
                public boolean exists(String project, String topic) {
                    return false;
                }

                @Override
                public void publish(String project, String topic, CloudEvent event) {}
            }, Clock.systemUTC());
            documents.putCollection(P, "points", Json.MAPPER.readTree("{}"));
            db.withConnection(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE bench_raw (project VARCHAR(63) NOT NULL, collection VARCHAR(128) NOT NULL,"
                            + " id VARCHAR(256) NOT NULL, data TEXT NOT NULL, version BIGINT NOT NULL,"
                            + " PRIMARY KEY (project, collection, id))");
                }
                return null;
            });
            String body = "{\"owner\":\"u1\",\"total\":42,\"items\":[\"apple\",\"pear\"],\"address\":{\"city\":\"Oslo\"}}";
            var data = Json.MAPPER.readTree(body);

            long t0 = System.nanoTime();
            for (int i = 0; i < ops; i++) {
                documents.write(Access.ADMIN, P, new Write(Write.Kind.CREATE, "points", "d" + i, data, null), 0);
            }
            double writes = ops / seconds(t0);
            t0 = System.nanoTime();
            for (int i = 0; i < ops; i++) {
                int n = i;
                db.inTransaction(c -> {
                    try (PreparedStatement s = c.prepareStatement(
                            "INSERT INTO bench_raw (project, collection, id, data, version) VALUES (?, ?, ?, ?, 1)")) {
                        s.setString(1, P);
                        s.setString(2, "points");
                        s.setString(3, "d" + n);
                        s.setString(4, body);
                        return s.executeUpdate();
                    }
                });
            }
            double rawWrites = ops / seconds(t0);

            SplittableRandom random = new SplittableRandom(7);
            t0 = System.nanoTime();
            for (int i = 0; i < ops; i++) {
                documents.get(Access.ADMIN, P, "points", "d" + random.nextInt(ops));
            }
            double reads = ops / seconds(t0);
            t0 = System.nanoTime();
            for (int i = 0; i < ops; i++) {
                String id = "d" + random.nextInt(ops);
                db.withConnection(c -> {
                    try (PreparedStatement s = c.prepareStatement(
                            "SELECT data, version FROM bench_raw WHERE project = ? AND collection = ? AND id = ?")) {
                        s.setString(1, P);
                        s.setString(2, "points");
                        s.setString(3, id);
                        try (ResultSet rs = s.executeQuery()) {
                            rs.next();
                            return Json.MAPPER.readTree(rs.getString(1));
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
            }
            double rawReads = ops / seconds(t0);

            // the indexed query: load, analyse, then `owner == uN` (1 in 1000 documents), 20 per page
            documents.putCollection(P, "orders", Json.MAPPER.readTree("{\"indexes\":[\"owner\"],\"scanThreshold\":0}"));
            long load0 = System.nanoTime();
            for (int start = 0; start < docs; start += Documents.MAX_WRITES) {
                List<Write> batch = new ArrayList<>();
                for (int i = start; i < Math.min(docs, start + Documents.MAX_WRITES); i++) {
                    batch.add(new Write(Write.Kind.CREATE, "orders", "o" + i, Json.MAPPER.readTree(
                            "{\"owner\":\"u" + (i % 1000) + "\",\"total\":" + i + "}"), null));
                }
                documents.commit(Access.ADMIN, P, List.of(), batch, 0);
                int loaded = start + batch.size();
                if (loaded == 10_000 || loaded % 100_000 == 0) {
                    // what autovacuum's analyse does on a server that runs it (the test PostgreSQL runs
                    // with autovacuum off): without statistics the planner's cached plan for the
                    // write path's primary-key probe may pick the declared index instead, and each
                    // write then reads the whole collection
                    analyze(db);
                }
            }
            double loadSeconds = seconds(load0);
            analyze(db);
            double[] latencies = new double[queries];
            for (int i = 0; i < queries; i++) {
                Query q = Query.parse(Json.MAPPER.readTree("{\"where\":{\"field\":\"owner\",\"op\":\"==\",\"value\":\"u"
                        + random.nextInt(1000) + "\"},\"limit\":20}"));
                long q0 = System.nanoTime();
                documents.query(Access.ADMIN, P, "orders", q);
                latencies[i] = (System.nanoTime() - q0) / 1e6;
            }
            Arrays.sort(latencies);
            double[] fanout = fanOut(documents, subscribers, events);
            row(report, engine, "single-document writes/s", writes, rawWrites);
            row(report, engine, "point reads/s", reads, rawReads);
            report.append("| ").append(engine).append(" | loading ").append(docs).append(" docs in commits of ")
                    .append(Documents.MAX_WRITES).append(": seconds, docs/s | ")
                    .append(String.format("%.0f s, %.0f/s", loadSeconds, docs / loadSeconds)).append(" | | |\n");
            report.append("| ").append(engine).append(" | indexed query over ").append(docs).append(" docs, p50 / p95 ms | ")
                    .append(String.format("%.2f / %.2f", latencies[queries / 2], latencies[(int) (queries * 0.95)]))
                    .append(" | | |\n");
            report.append("| ").append(engine).append(" | realtime fan-out to ").append(subscribers)
                    .append(" subscribers: deliveries/s, p50 / p95 ms from write to delivery | ")
                    .append(String.format("%.0f/s, %.1f / %.1f", fanout[0], fanout[1], fanout[2])).append(" | | |\n");
        } finally {
            if (schema != null) {
                admin("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    /**
     * {@code subscribers} realtime subscriptions (the class SSE and the WebSocket share, without
     * the network) each on its own virtual thread, woken by commits as on a node; one writer
     * writes {@code events} documents. Returns deliveries per second and the p50 and p95 of the
     * time from a write's start to each subscriber's receipt, in ms.
     */
    private static double[] fanOut(Documents documents, int subscribers, int events) throws Exception {
        documents.putCollection(P, "feed", Json.MAPPER.readTree("{}"));
        long[] started = new long[events + 1];
        double[] latencies = new double[subscribers * events];
        java.util.concurrent.atomic.AtomicInteger delivered = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(subscribers);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < subscribers; s++) {
            ChangeStream stream = documents.listen(Access.ADMIN, P, "feed", ChangeStream.Target.ALL, null);
            threads.add(Thread.ofVirtual().start(() -> {
                int seen = 0;
                try {
                    while (seen < events) {
                        long signals = documents.changeLog.signals(P, "feed");
                        List<ChangeStream.Item> items = stream.poll();
                        long now = System.nanoTime();
                        for (ChangeStream.Item item : items) {
                            int seq = (int) item.seq();
                            latencies[delivered.getAndIncrement()] = (now - started[seq]) / 1e6;
                            seen++;
                        }
                        if (items.isEmpty()) {
                            documents.changeLog.await(P, "feed", signals, java.time.Duration.ofSeconds(1));
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }));
        }
        var data = Json.MAPPER.readTree("{\"n\":1}");
        long t0 = System.nanoTime();
        for (int e = 1; e <= events; e++) {
            started[e] = System.nanoTime();
            documents.write(Access.ADMIN, P, new Write(Write.Kind.CREATE, "feed", "f" + e, data, null), 0);
        }
        done.await();
        double elapsed = seconds(t0);
        double[] sorted = Arrays.copyOf(latencies, delivered.get());
        Arrays.sort(sorted);
        return new double[] {sorted.length / elapsed, sorted[sorted.length / 2], sorted[(int) (sorted.length * 0.95)]};
    }

    private static void analyze(Database db) {
        db.withConnection(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE");
            }
            return null;
        });
    }

    private static void row(StringBuilder report, String engine, String measure, double ours, double floor) {
        report.append("| ").append(engine).append(" | ").append(measure).append(" | ")
                .append(String.format("%.0f", ours)).append(" | ").append(String.format("%.0f", floor)).append(" | ")
                .append(String.format("%.2f", ours / floor)).append(" |\n");
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(POSTGRES_URL); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
