package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.scheduler.InvocationRequest;
import dev.cumulus.scheduler.InvocationResult;
import dev.cumulus.scheduler.Scheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An invocation that waits in its function's queue for a slot is handed over as one that finds a
 * free slot at once (issue 12, docs/adr/0055-queued-invocations-handed-over.md): once its event
 * has left, its caller's thread is free, and its answer completes on the thread that reads it.
 * On a real node, with the scheduler called as the edge calls it.
 */
class QueuedHandOverTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void anInvocationThatWaitedForASlotIsHandedOverNotWaitedFor() throws Exception {
        node.deploy("one-slot", "dev.cumulus.testfn.Gate", Map.of("concurrency", 1, "maxInstances", 1,
                "timeoutSeconds", 30));
        assertThat(node.invoke("one-slot", Map.of("do", "work", "ms", 1)).statusCode()).as("warm").isEqualTo(200);
        Scheduler scheduler = node.platform.scheduler();
        FunctionVersion version = node.platform.registry().resolve("one-slot", null);

        CompletableFuture<InvocationResult> first = scheduler.start(version, work("req-first", 3_000));
        assertThat(first).as("the first took the free slot and was handed over").isNotDone();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            // the only slot is the first's for 3 s: the second's caller waits in the queue for it
            Future<CompletableFuture<InvocationResult>> second = callers.submit(
                    () -> scheduler.start(version, work("req-second", 5_000)));
            CompletableFuture<InvocationResult> handedOver = second.get(30, TimeUnit.SECONDS);
            assertThat(first.get(30, TimeUnit.SECONDS).answer()).as("the slot came free with the first's answer")
                    .isInstanceOfSatisfying(InvocationResult.Success.class, s -> assertThat(text(s)).isEqualTo("\"worked\""));
            assertThat(handedOver).as("its caller was free before the function's answer").isNotDone();
            InvocationResult result = handedOver.get(30, TimeUnit.SECONDS);
            assertThat(result.answer()).isInstanceOfSatisfying(InvocationResult.Success.class,
                    s -> assertThat(text(s)).isEqualTo("\"worked\""));
            assertThat(result.coldStart()).as("on the warm instance the first left").isFalse();
        }
        assertThat(scheduler.counts("one-slot").busy()).as("its slot given back").isZero();
    }

    private static InvocationRequest work(String requestId, int ms) {
        return new InvocationRequest(requestId, null,
                ("{\"do\":\"work\",\"ms\":" + ms + "}").getBytes(StandardCharsets.UTF_8));
    }

    private static String text(InvocationResult.Success success) {
        return new String(success.payload(), StandardCharsets.UTF_8);
    }
}
