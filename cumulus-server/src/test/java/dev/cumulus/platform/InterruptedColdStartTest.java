package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.scheduler.InstanceInfo;
import dev.cumulus.scheduler.InstanceState;
import dev.cumulus.scheduler.InvocationRequest;
import dev.cumulus.scheduler.Scheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller whose thread is interrupted while its instance starts (a node stopping its request
 * threads, say) gives the instance up: its process goes, and its place under the function's,
 * the project's and the node's limits comes back. It once stayed STARTING for ever, holding them.
 */
class InterruptedColdStartTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c.withStemCells(0));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void anInterruptedColdStartReleasesItsStartingInstance() throws Exception {
        // an init that outlasts the test: the instance stays STARTING until the caller gives up
        node.deploy("slow-init", "dev.cumulus.testfn.Sleep",
                Map.of("maxInstances", 1, "memoryMb", 128, "environment", Map.of("SLEEP_INIT_MS", "600000")));
        Scheduler scheduler = node.platform.scheduler();
        int liveBefore = scheduler.liveInstances();
        FunctionVersion version = node.platform.registry().resolve("slow-init", null);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                scheduler.invoke(version, new InvocationRequest("req-interrupted", null,
                        "{\"ms\":1}".getBytes(StandardCharsets.UTF_8)));
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        // launched (it has a process) and waiting for its runtime to be ready
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<InstanceInfo> instances = scheduler.instances("slow-init");
            return instances.size() == 1 && instances.getFirst().state() == InstanceState.STARTING
                    && instances.getFirst().pid() > 0;
        });
        long pid = scheduler.instances("slow-init").getFirst().pid();

        caller.interrupt();
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(scheduler.counts("slow-init").total()).as("instances of the function").isZero();
            assertThat(scheduler.liveInstances()).as("node slots taken").isEqualTo(liveBefore);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("its process").isFalse();
        });
        assertThat(scheduler.startGate().held()).as("start gate turns still held").isZero();
    }
}
