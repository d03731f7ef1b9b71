package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst that finds a function at zero instances shares the instance that is starting when that
 * instance will have slots for it (concurrency above 1), instead of starting one JVM per caller
 * (issue 12, means 1): fewer JVMs on the cores, and each caller waits no longer than its own cold
 * start would have taken.
 */
class ColdBurstSharingTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        // a queue long enough that the burst waits for the starting instance on any machine
        node = new TestNode(dataDir, c -> c.withQueue(16, Duration.ofSeconds(60)));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aBurstFromZeroWaitsForTheStartingInstanceInsteadOfStartingOneEach() throws Exception {
        // room for four instances, but one has four slots: Rendezvous answers "met" only when all
        // four invocations run in one instance at the same time
        node.deploy("burst", "dev.cumulus.testfn.Rendezvous",
                Map.of("concurrency", 4, "maxInstances", 4, "timeoutSeconds", 30));
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4; i++) {
                calls.add(callers.submit(() -> node.invoke("burst", Map.of("parties", 4))));
            }
            for (Future<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get();
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).as("all four ran at once in one instance").isEqualTo("\"met\"");
            }
        }
        assertThat(node.platform.scheduler().counts("burst").total()).as("instances started").isEqualTo(1);
    }

    @Test
    void singleConcurrencyFunctionsStillStartOneInstancePerConcurrentCaller() throws Exception {
        // Lambda's semantics: a starting instance with one slot has none to spare; Rendezvous of
        // two meets only if two instances run at once
        node.deploy("single", "dev.cumulus.testfn.Rendezvous",
                Map.of("concurrency", 1, "maxInstances", 2, "timeoutSeconds", 30));
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 2; i++) {
                calls.add(callers.submit(() -> node.invoke("single", Map.of("parties", 2))));
            }
            for (Future<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get();
                assertThat(response.statusCode()).isEqualTo(200);
            }
        }
        assertThat(node.platform.scheduler().counts("single").total()).as("instances started").isEqualTo(2);
    }
}
