package dev.cumulus.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import dev.cumulus.store.TestDatabase;
import java.lang.reflect.Proxy;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Meter and Usage contract; one subclass per Store backend runs it. */
abstract class MeteringContract {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final Instant ALL_FROM = Instant.EPOCH;
    static final Instant ALL_TO = Instant.parse("2100-01-01T00:00:00Z");

    @TempDir
    java.nio.file.Path dir;

    TestDatabase test;
    Metering metering;
    final Random random = new Random(42);

    abstract TestDatabase.Backend backend();

    @BeforeEach
    void open() {
        test = TestDatabase.create(backend(), dir);
        metering = Metering.open(test.db());
    }

    @AfterEach
    void close() {
        metering.close();
        test.close();
    }

    @Test
    void flushMakesEveryEarlierRecordReadable() {
        List<InvocationRecord> records = randomRecords(250);
        records.forEach(metering.meter()::record);

        metering.meter().flush();

        assertThat(metering.usage().records(ALL_FROM, ALL_TO)).isEqualTo(sorted(records));
    }

    @Test
    void writesInTheBackgroundWithoutAFlush() {
        List<InvocationRecord> records = randomRecords(20);
        records.forEach(metering.meter()::record);

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(metering.usage().records(ALL_FROM, ALL_TO)).hasSize(20));
    }

    @Test
    void recordsSurviveCloseAndRestart() {
        List<InvocationRecord> records = randomRecords(700);
        records.forEach(metering.meter()::record);

        metering.close();
        test.reopen();
        metering = Metering.open(test.db());

        assertThat(metering.usage().records(ALL_FROM, ALL_TO)).isEqualTo(sorted(records));
    }

    @Test
    void flushAndCloseOnAnIdleMeterReturn() {
        metering.meter().flush();
        metering.meter().close();
        metering.meter().flush();
        metering.meter().close();
        assertThat(metering.usage().records(ALL_FROM, ALL_TO)).isEmpty();
    }

    @Test
    void takesRecordsFromManyThreadsAtOnce() throws Exception {
        int threads = 8;
        int perThread = 400;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                List<InvocationRecord> mine = randomRecords(perThread);
                pool.submit(() -> {
                    start.await();
                    mine.forEach(metering.meter()::record);
                    return null;
                });
            }
            start.countDown();
        }

        metering.meter().flush();

        assertThat(metering.usage().records(ALL_FROM, ALL_TO)).hasSize(threads * perThread);
    }

    @Test
    void usageTotalsEqualTheSumOfTheRecords() {
        List<InvocationRecord> records = randomRecords(400);
        records.forEach(metering.meter()::record);
        metering.meter().flush();

        List<UsageRow> rows = metering.usage().byFunction(ALL_FROM, ALL_TO);

        Map<String, List<InvocationRecord>> byName =
                records.stream().collect(Collectors.groupingBy(InvocationRecord::functionName));
        assertThat(rows).extracting(UsageRow::functionName).containsExactlyElementsOf(byName.keySet().stream().sorted().toList());
        for (UsageRow row : rows) {
            List<InvocationRecord> mine = byName.get(row.functionName());
            assertThat(row.requests()).isEqualTo(mine.size());
            assertThat(row.errors()).isEqualTo(mine.stream().filter(r -> r.outcome() != Outcome.SUCCESS).count());
            assertThat(row.coldStarts()).isEqualTo(mine.stream().filter(InvocationRecord::coldStart).count());
            assertThat(row.billedMs()).isEqualTo(mine.stream().mapToLong(InvocationRecord::billedMs).sum());
            assertThat(row.gbSeconds()).isCloseTo(mine.stream().mapToDouble(InvocationRecord::gbSeconds).sum(), within(1e-9));
        }
        assertThat(rows.stream().mapToLong(UsageRow::requests).sum()).isEqualTo(records.size());
    }

    @Test
    void periodsIncludeTheirStartAndExcludeTheirEnd() {
        InvocationRecord atStart = record("f", T0, Outcome.SUCCESS);
        InvocationRecord inside = record("f", T0.plusMillis(500), Outcome.ERROR);
        InvocationRecord atEnd = record("f", T0.plusSeconds(1), Outcome.SUCCESS);
        InvocationRecord before = record("g", T0.minusMillis(1), Outcome.SUCCESS);
        List.of(atStart, inside, atEnd, before).forEach(metering.meter()::record);
        metering.meter().flush();

        assertThat(metering.usage().records(T0, T0.plusSeconds(1))).containsExactly(atStart, inside);
        assertThat(metering.usage().byFunction(T0, T0.plusSeconds(1)))
                .singleElement()
                .satisfies(row -> {
                    assertThat(row.functionName()).isEqualTo("f");
                    assertThat(row.requests()).isEqualTo(2);
                    assertThat(row.errors()).isEqualTo(1);
                });
        // Sub-millisecond bounds: a record at T0 starts before T0 + 0.5 ms.
        assertThat(metering.usage().records(T0.plusNanos(500_000), T0.plusSeconds(1))).containsExactly(inside);
        assertThat(metering.usage().byFunction(T0.plusSeconds(5), T0.plusSeconds(6))).isEmpty();
    }

    @Test
    void retriesFailedWritesUntilTheDatabaseTakesThem() {
        metering.close();
        AtomicInteger failuresLeft = new AtomicInteger(3);
        DataSource flaky = failingFirst(test.db().dataSource(), failuresLeft);
        metering = Metering.open(flaky, new BatchingMeter.Settings(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(30)));
        List<InvocationRecord> records = randomRecords(50);
        records.forEach(metering.meter()::record);

        metering.meter().flush();

        assertThat(failuresLeft).hasValue(0);
        assertThat(metering.usage().records(ALL_FROM, ALL_TO)).isEqualTo(sorted(records));
    }

    @Test
    void closeGivesUpOnADeadDatabaseAfterItsTimeoutAndLogsTheRecords() {
        metering.close();
        DataSource dead = failingFirst(test.db().dataSource(), new AtomicInteger(Integer.MAX_VALUE));
        metering = Metering.open(dead, new BatchingMeter.Settings(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(300)));
        randomRecords(3).forEach(metering.meter()::record);

        assertTimeoutPreemptively(Duration.ofSeconds(10), metering::close);

        // After close a record is refused with a log line, never an exception on the hot path.
        metering.meter().record(record("late", T0, Outcome.SUCCESS));
        assertThat(new JdbcUsage(test.db().dataSource()).records(ALL_FROM, ALL_TO)).isEmpty();
    }

    @Test
    void underSteadyLoadTheWriterCommitsOncePerLingerNotAsFastAsTheDatabaseAllows() {
        metering.close();
        AtomicInteger commits = new AtomicInteger();
        DataSource counting = counting(test.db().dataSource(), commits);
        metering = Metering.open(counting, BatchingMeter.Settings.DEFAULT);
        Duration load = Duration.ofSeconds(1);
        List<InvocationRecord> records = new java.util.ArrayList<>();
        long until = System.nanoTime() + load.toNanos();
        while (System.nanoTime() < until) { // about 5,000 records a second, a steady stream
            InvocationRecord r = record("r" + records.size(), T0.plusMillis(records.size()), Outcome.SUCCESS);
            records.add(r);
            metering.meter().record(r);
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }

        metering.meter().flush();

        assertThat(metering.usage().records(ALL_FROM, ALL_TO)).isEqualTo(sorted(records));
        // one commit per linger (100 ms) over the second, and the flush's: writing again as soon as
        // a commit ended made hundreds here, each an fsync on SQLite
        assertThat(commits).as("commits of %d records", records.size())
                .hasValueLessThanOrEqualTo((int) (load.toMillis() / BatchingMeter.LINGER.toMillis()) + 3);
    }

    @Test
    void aRetriedBatchIsNotCountedTwice() {
        InvocationRecord r = record("f", T0, Outcome.SUCCESS);
        metering.meter().record(r);
        metering.meter().flush();
        metering.meter().record(r);
        metering.meter().flush();

        assertThat(metering.usage().records(ALL_FROM, ALL_TO)).containsExactly(r);
    }

    @Test
    void usageIsCountedPerProject() {
        InvocationRecord alpha = InvocationRecord.builder().requestId("a").project("alpha").functionName("hello")
                .version("$LATEST").start(T0).durationMicros(1500).billedMs(2).memoryMb(256).outcome(Outcome.SUCCESS)
                .build();
        InvocationRecord beta = InvocationRecord.builder().requestId("b").project("beta").functionName("hello")
                .version("$LATEST").start(T0).durationMicros(1500).billedMs(2).memoryMb(512).outcome(Outcome.ERROR)
                .build();
        metering.meter().record(alpha);
        metering.meter().record(beta);
        metering.meter().record(new InvocationRecord("b2", "beta", "hello", "$LATEST", T0, 1500, 2, 512, false, 0,
                Outcome.ERROR));
        metering.meter().flush();

        assertThat(metering.usage().byFunction("alpha", ALL_FROM, ALL_TO)).singleElement()
                .satisfies(row -> assertThat(row.requests()).isEqualTo(1))
                .satisfies(row -> assertThat(row.errors()).isZero());
        assertThat(metering.usage().byFunction("beta", ALL_FROM, ALL_TO)).singleElement()
                .satisfies(row -> assertThat(row.requests()).isEqualTo(2))
                .satisfies(row -> assertThat(row.errors()).isEqualTo(2));
        assertThat(metering.usage().byFunction(ALL_FROM, ALL_TO)).isEmpty();
        assertThat(metering.usage().records(ALL_FROM, ALL_TO)).extracting(InvocationRecord::project)
                .containsExactlyInAnyOrder("alpha", "beta", "beta");
    }

    // ---- helpers

    List<InvocationRecord> randomRecords(int n) {
        String[] functions = {"thumbnail", "csv-etl", "backup", "welcome_mail", "iot-alert"};
        Outcome[] outcomes = Outcome.values();
        List<InvocationRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long durationMicros = random.nextLong(50, 900_000_000L);
            boolean cold = random.nextInt(5) == 0;
            records.add(new InvocationRecord(
                    UUID.randomUUID().toString(),
                    functions[random.nextInt(functions.length)],
                    random.nextBoolean() ? "$LATEST" : String.valueOf(1 + random.nextInt(9)),
                    T0.plusMillis(random.nextInt(86_400_000)),
                    durationMicros,
                    InvocationRecord.billedMillis(durationMicros),
                    128 + random.nextInt(10240 - 128 + 1),
                    cold,
                    cold ? random.nextLong(1, 2_000_000) : 0,
                    random.nextInt(4) == 0 ? outcomes[random.nextInt(outcomes.length)] : Outcome.SUCCESS));
        }
        return records;
    }

    static InvocationRecord record(String function, Instant start, Outcome outcome) {
        return new InvocationRecord(UUID.randomUUID().toString(), function, "1", start, 1500, 2, 256, false, 0, outcome);
    }

    static List<InvocationRecord> sorted(List<InvocationRecord> records) {
        return records.stream()
                .sorted(Comparator.comparing(InvocationRecord::start).thenComparing(InvocationRecord::requestId))
                .toList();
    }

    /** A DataSource that counts the connections taken: the meter takes one per batch it commits. */
    static DataSource counting(DataSource real, AtomicInteger connections) {
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        connections.incrementAndGet();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** A DataSource whose first connections fail, as a database that is briefly down does. */
    static DataSource failingFirst(DataSource real, AtomicInteger failures) {
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw new SQLTransientConnectionException("database is down (test)");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
