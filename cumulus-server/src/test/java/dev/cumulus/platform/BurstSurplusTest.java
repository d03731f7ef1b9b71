package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * After a burst, the instances recent traffic no longer needs leave within the scheduler's stable
 * window (a minute), not after each one's keep-alive (ten minutes here); one stays warm for the
 * next call. Waits for about a minute, so it is tagged {@code idle} and runs beside the suite.
 */
@Tag("idle")
@Execution(ExecutionMode.CONCURRENT)
class BurstSurplusTest {
    private static final int BURST = 3;

    @Test
    void aBurstsSurplusInstancesLeaveAndOneStaysWarm(@TempDir Path dataDir) throws IOException {
        try (TestNode node = new TestNode(dataDir, c -> c.withStemCells(0).withDefaultKeepAlive(Duration.ofMinutes(10)))) {
            node.deploy("bursty", "dev.cumulus.testfn.Sleep", Map.of("keepAliveSeconds", 600));
            try (var callers = Executors.newVirtualThreadPerTaskExecutor()) {
                List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, BURST)
                        .mapToObj(i -> CompletableFuture.supplyAsync(
                                () -> node.invoke("bursty", Map.of("ms", 3000)), callers))
                        .toList();
                calls.forEach(call -> assertThat(call.join().statusCode()).isEqualTo(200));
            }
            assertThat(instances(node)).as("one instance per concurrent call").isEqualTo(BURST);

            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> instances(node) == 1);

            HttpResponse<String> next = node.invoke("bursty", Map.of("ms", 0));
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(next.headers().firstValue("X-Cumulus-Cold-Start")).as("the one kept is warm").hasValue("false");
        }
    }

    /**
     * Issue 12: with the node's keep-alive at 3 s and the function adaptive (no keepAliveSeconds),
     * a burst of 200 calls leaves no instance 15 s after its last answer. The histogram the burst
     * teaches (every gap in the first one-minute bin) must not keep instances for that bin: the
     * node's keep-alive caps the window. The queue waits up to a minute: ten cold JVMs on a busy
     * two-core machine can take longer than the default ten seconds, and queueing is not what this
     * test is about.
     */
    @Test
    void withAThreeSecondKeepAliveABurstOf200LeavesNoInstance15sLater(@TempDir Path dataDir) throws IOException {
        try (TestNode node = new TestNode(dataDir, c -> c.withStemCells(0).withDefaultKeepAlive(Duration.ofSeconds(3))
                .withQueue(200, Duration.ofMinutes(1)))) {
            node.deploy("burst200", "dev.cumulus.testfn.Hello", Map.of("maxInstances", 10, "memoryMb", 128));
            try (var callers = Executors.newFixedThreadPool(32, Thread.ofVirtual().factory())) {
                List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 200)
                        .mapToObj(i -> CompletableFuture.supplyAsync(
                                () -> node.invoke("burst200", Map.of("name", "n" + i)), callers))
                        .toList();
                calls.forEach(call -> assertThat(call.join().statusCode()).isEqualTo(200));
            }
            // the surplus reaches its keep-alive together; its JVMs are stopped one at a time, so
            // their exits (each frees its memory) do not hold the node's cores all at once
            AtomicInteger mostStopping = new AtomicInteger();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = Thread.ofVirtual().start(() -> {
                while (watching.get()) {
                    mostStopping.accumulateAndGet(node.platform.scheduler().instancesStopping(), Math::max);
                    LockSupport.parkNanos(200_000);
                }
            });
            try {
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                        .until(() -> TestNode.json(node.send("GET", "/v1/functions/burst200/instances", null))
                                .get("instances").isEmpty()
                                && node.platform.scheduler().instancesStopping() == 0);
            } finally {
                watching.set(false);
            }
            assertThat(mostStopping).as("instances stopping at once").hasValueBetween(1, 1);
        }
    }

    private static int instances(TestNode node) {
        return TestNode.json(node.send("GET", "/v1/functions/bursty/instances", null)).get("instances").size();
    }
}
