package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping a node lets in-flight invocations finish and leaves no instance behind. */
class ShutdownTest {
    @TempDir
    Path dataDir;

    @Test
    void closeDrainsInFlightInvocations() throws Exception {
        TestNode node = new TestNode(dataDir, c -> c.withStemCells(0)); // processes found by their exec-time environment
        node.deploy("slowpoke", "dev.cumulus.testfn.Sleep", Map.of());
        CompletableFuture<HttpResponse<String>> inFlight =
                CompletableFuture.supplyAsync(() -> node.invoke("slowpoke", Map.of("ms", 1500)));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> node.platform.scheduler().counts("slowpoke").busy() == 1);

        node.close();

        HttpResponse<String> response = inFlight.get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("\"slept 1500\"");
        assertThat(TestNode.runtimeProcesses("slowpoke")).isEmpty();
    }

    @Test
    void quietInstancesNeitherStarveTheNodeNorBlockItsShutdown() throws Exception {
        TestNode node = new TestNode(dataDir, c -> c.withStemCells(0));
        // more quiet instances than the machine has cores: each holds a pipe that blocks on read
        int instances = Runtime.getRuntime().availableProcessors() + 2;
        node.deploy("quiet", "dev.cumulus.testfn.Sleep",
                Map.of("maxInstances", instances, "concurrency", 1, "timeoutSeconds", 20));
        java.util.List<CompletableFuture<HttpResponse<String>>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < instances; i++) {
            // overlapping calls, so each needs an instance of its own
            calls.add(CompletableFuture.supplyAsync(() -> node.invoke("quiet", Map.of("ms", 3000))));
        }
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            assertThat(call.get().body()).isEqualTo("\"slept 3000\"");
        }
        assertThat(node.platform.scheduler().counts("quiet").idle()).isEqualTo(instances);
        assertThat(node.send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(node::close);
        closing.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(TestNode.runtimeProcesses("quiet")).isEmpty();
    }
}
