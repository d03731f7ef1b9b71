package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scale-out under concurrency with limits, 429s beyond the queue, and scale back to zero. */
class ScalingTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        // a short queue so that 20 clients against 4 slow instances really overflow it
        node = new TestNode(dataDir, c -> c.withQueue(6, Duration.ofMillis(300)));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void twentyClientsAgainstFourInstancesGetAnswersOr429sAndNever5xx() throws Exception {
        node.deploy("slow", "dev.cumulus.testfn.Sleep", Map.of("maxInstances", 4, "memoryMb", 128));
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger mostInstances = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> retryAfter = java.util.Collections.synchronizedList(new ArrayList<>());

        Thread watcher = Thread.ofVirtual().start(() -> {
            while (running.get()) {
                JsonNode counts = TestNode.json(node.send("GET", "/v1/functions/slow", null)).get("instances");
                int total = counts.get("starting").asInt() + counts.get("idle").asInt() + counts.get("busy").asInt();
                mostInstances.accumulateAndGet(total, Math::max);
                mostInstances.accumulateAndGet(node.platform.scheduler().counts("slow").total(), Math::max);
            }
        });
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService clients = Executors.newFixedThreadPool(20)) {
            List<Future<?>> done = new ArrayList<>();
            for (int client = 0; client < 20; client++) {
                done.add(clients.submit(() -> {
                    go.await();
                    for (int i = 0; i < 10; i++) {
                        HttpResponse<String> response = node.invoke("slow", Map.of("ms", 50));
                        statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                        if (response.statusCode() == 429) {
                            retryAfter.add(response.headers().firstValue("Retry-After").orElse(null));
                            assertThat(TestNode.json(response).get("error").asText()).isEqualTo("TooManyRequests");
                        } else {
                            assertThat(response.body()).isEqualTo("\"slept 50\"");
                            assertThat(response.headers().firstValue("X-Cumulus-Function-Error")).isEmpty();
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            running.set(false);
            watcher.join();
        }

        int total = statuses.values().stream().mapToInt(AtomicInteger::get).sum();
        assertThat(total).isEqualTo(200);
        assertThat(statuses.keySet()).as("only answers and throttles, no 5xx").isSubsetOf(200, 429);
        assertThat(statuses.get(200).get()).isPositive();
        assertThat(statuses.containsKey(429)).as("the bounded queue overflowed").isTrue();
        assertThat(retryAfter).allSatisfy(v -> assertThat(v).isNotNull());
        assertThat(mostInstances.get()).isBetween(1, 4);
    }

    @Test
    void aWarmInstanceArmsOneKeepAliveTimerHoweverManyInvocationsItServes() {
        node.deploy("steady", "dev.cumulus.testfn.Hello", Map.of("keepAliveSeconds", 300, "maxInstances", 1));
        String instance = TestNode.json(node.invoke("steady", Map.of("name", "first"))).get("instance").asText();
        int armedBefore = node.platform.scheduler().timersArmed();

        for (int i = 0; i < 200; i++) {
            HttpResponse<String> warm = node.invoke("steady", Map.of("name", "n" + i));
            assertThat(warm.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("false");
            assertThat(TestNode.json(warm).get("instance").asText()).isEqualTo(instance);
        }

        // one timer per invocation left 200 armed here, each firing 5 minutes later to find the
        // instance no longer idle since then; the instance's one timer finds its new deadline
        assertThat(node.platform.scheduler().timersArmed()).as("keep-alive timers armed")
                .isLessThanOrEqualTo(armedBefore + 2);
    }

    @Test
    void anInstanceKeptBusyPastItsKeepAliveStaysWarmAndStopsAKeepAliveAfterItsLastCall() {
        node.deploy("busy", "dev.cumulus.testfn.Hello", Map.of("keepAliveSeconds", 1, "maxInstances", 1));
        String instance = TestNode.json(node.invoke("busy", Map.of("name", "first"))).get("instance").asText();

        // back to back for three keep-alives: its timer fires while it serves and must not stop it
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        int calls = 0;
        while (System.nanoTime() < until) {
            HttpResponse<String> warm = node.invoke("busy", Map.of("name", "n" + calls++));
            assertThat(warm.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("false");
            assertThat(TestNode.json(warm).get("instance").asText()).isEqualTo(instance);
        }
        assertThat(calls).isPositive();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(node.platform.scheduler().counts("busy").total()).as("instances of busy").isZero());
    }

    @Test
    void idleInstancesStopAfterKeepAliveAndBillNothing() {
        node.deploy("brief", "dev.cumulus.testfn.Hello", Map.of("keepAliveSeconds", 2, "maxInstances", 3));
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            callers.add(Thread.ofVirtual().start(() -> node.invoke("brief", Map.of("name", "x"))));
        }
        callers.forEach(t -> {
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(node.platform.scheduler().counts("brief").total()).isPositive();
        List<ProcessHandle> processes = node.processTree("brief");
        assertThat(processes).as("sandbox and JVM processes of the warm instances").hasSizeGreaterThanOrEqualTo(2);
        long billedBefore = billedMs("brief");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode instances = TestNode.json(node.send("GET", "/v1/functions/brief", null)).get("instances");
            assertThat(instances.get("idle").asInt() + instances.get("busy").asInt() + instances.get("starting").asInt())
                    .isZero();
            assertThat(processes).as("no instance process remains").noneMatch(ProcessHandle::isAlive);
        });
        assertThat(billedMs("brief")).as("idle time is not billed").isEqualTo(billedBefore);
    }

    @Test
    void perInstanceConcurrencyRunsInvocationsSideBySideInOneInstance() throws Exception {
        node.deploy("shared", "dev.cumulus.testfn.Rendezvous",
                Map.of("concurrency", 2, "maxInstances", 1, "timeoutSeconds", 20));
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 2; i++) {
                calls.add(callers.submit(() -> node.invoke("shared", Map.of("parties", 2))));
            }
            for (Future<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get();
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).as("both ran at once in the one instance").isEqualTo("\"met\"");
            }
        }
        assertThat(node.platform.scheduler().counts("shared").total()).isEqualTo(1);
    }

    private static long billedMs(String function) {
        node.platform.flushMetering();
        JsonNode usage = TestNode.json(node.send("GET", "/v1/usage", null));
        for (JsonNode row : usage.get("functions")) {
            if (row.get("function").asText().equals(function)) {
                return row.get("billedMs").asLong();
            }
        }
        return 0;
    }
}
