package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.scheduler.InstanceState;
import dev.cumulus.scheduler.StartGate;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst from zero on a real node passes the start gate (ADR 0044): never more JVM starts in
 * flight than the gate's turns, and every call is still served, on an instance of its own.
 */
class StartGateBurstTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        // no stem cells: every start is from nothing and must pass the gate
        node = new TestNode(dataDir, c -> c.withStemCells(0));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aBurstNeverHasMoreStartsInFlightThanTheGateAllowsAndEveryCallIsServed() throws Exception {
        int turns = node.platform.scheduler().startGate().turns();
        int calls = turns + 4;
        StartGate.Stats before = node.platform.scheduler().startGate();
        // each call holds its instance until the whole burst has started, so each needs its own
        node.deploy("burst", "dev.cumulus.testfn.Sleep",
                Map.of("maxInstances", calls, "memoryMb", 128, "timeoutSeconds", 120));
        // JVMs starting: instances still STARTING that have a process (one without waits at the gate)
        AtomicInteger mostStarting = new AtomicInteger();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (watching.get()) {
                long starting = node.platform.scheduler().instances("burst").stream()
                        .filter(i -> i.state() == InstanceState.STARTING && i.pid() > 0).count();
                mostStarting.accumulateAndGet((int) starting, Math::max);
                Thread.onSpinWait();
            }
        });
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < calls; i++) {
                answers.add(callers.submit(() -> node.invoke("burst", Map.of("ms", 1500))));
            }
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("\"slept 1500\"");
            }
        }
        watching.set(false);
        watcher.join();
        StartGate.Stats after = node.platform.scheduler().startGate();
        // a turn that ran out (a start slower than the turn on a loaded machine) lets one more in,
        // and so does a start that waited the longest wait
        long ranOut = after.expired() - before.expired() + after.overdue() - before.overdue();
        assertThat(mostStarting.get()).as("JVMs starting at once (turns that ran out: %d)", ranOut)
                .isPositive().isLessThanOrEqualTo((int) (turns + ranOut));
        assertThat(after.admitted() + after.overdue() - before.admitted() - before.overdue())
                .as("every start passed the gate").isEqualTo(calls);
        assertThat(after.held()).as("turns left held after the burst").isZero();
        assertThat(after.waiting()).isZero();
    }
}
