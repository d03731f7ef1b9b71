package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node killed with SIGKILL while asynchronous events wait: started again on the same data dir,
 * it delivers every one of them. The node runs in a process of its own so it can really be killed.
 */
class AsyncCrashRecoveryTest {
    static final int EVENTS = 500;

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final List<Process> processes = new ArrayList<>();
    NodeProcess node;
    URI url;
    String token;

    @AfterEach
    void stopNodes() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void everyEventQueuedWhenTheNodeIsKilledIsDeliveredAfterItRestarts() throws Exception {
        Path dataDir = dir.resolve("data");
        Process first = startNode(dataDir, "first");
        node.deployTestFunction(http, "slow", "dev.cumulus.testfn.Sleep", Map.of("maxInstances", 2));

        Set<String> accepted = new HashSet<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<HttpResponse<String>>> submits = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                submits.add(pool.submit(() -> send(HttpRequest.newBuilder(url.resolve("/v1/functions/slow/invoke"))
                        .header("X-Cumulus-Invocation-Type", "Event")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ms\":100}")))));
            }
            for (Future<HttpResponse<String>> submit : submits) {
                HttpResponse<String> response = submit.get();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                accepted.add(json(response).get("requestId").asText());
            }
        }
        assertThat(accepted).hasSize(EVENTS);
        long waiting = invocations().stream().filter(r -> !r.get("state").asText().equals("succeeded")).count();
        // two instances at 100 ms each cannot have got far: most events are still queued at the kill
        assertThat(waiting).isGreaterThan(EVENTS / 2);

        first.destroyForcibly(); // SIGKILL: no shutdown hook, no drain
        assertThat(first.waitFor()).isEqualTo(137);

        startNode(dataDir, "second");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() ->
                invocations().stream().allMatch(r -> r.get("state").asText().equals("succeeded")));

        List<JsonNode> delivered = invocations();
        assertThat(delivered).extracting(r -> r.get("requestId").asText()).containsExactlyInAnyOrderElementsOf(accepted);
        assertThat(delivered).allSatisfy(r -> assertThat(r.get("attempts").asInt()).isEqualTo(1));
        // an event that was running at the kill shows the interrupted try before the one that succeeded
        int interrupted = 0;
        for (JsonNode r : delivered) {
            JsonNode detail = json(send(HttpRequest.newBuilder(url.resolve("/v1/invocations/" + r.get("requestId").asText())).GET()));
            List<String> outcomes = StreamSupport.stream(detail.get("tries").spliterator(), false)
                    .map(a -> a.get("outcome").asText()).toList();
            assertThat(outcomes).last().isEqualTo("succeeded");
            assertThat(outcomes.subList(0, outcomes.size() - 1)).allMatch("interrupted"::equals);
            interrupted += outcomes.size() - 1;
        }
        // the dispatcher keeps all its slots busy while events wait, so some were running at the kill
        assertThat(interrupted).isPositive();
    }

    private List<JsonNode> invocations() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(url.resolve("/v1/functions/slow/invocations?limit=1000")).GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return StreamSupport.stream(json(response).get("invocations").spliterator(), false).toList();
    }

    private Process startNode(Path dataDir, String name) throws IOException {
        NodeProcess node = NodeProcess.start(dataDir, dir.resolve(name + ".log"));
        processes.add(node.process());
        this.node = node;
        url = node.url();
        token = node.token();
        return node.process();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        return node.send(http, request);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return TestNode.json(response);
    }
}
