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
}
