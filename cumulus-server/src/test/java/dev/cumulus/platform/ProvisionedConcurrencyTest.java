package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provisioned instances start without traffic, outlive their keep-alive, come back after a crash. */
class ProvisionedConcurrencyTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c.withStemCells(0)); // processes found by their exec-time environment
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void provisionedInstancesAreWarmBeforeTrafficSurviveKeepAliveAndCrashesAndGoWithTheFunction() {
        JsonNode deployed = node.deploy("steady", "dev.cumulus.testfn.Misbehave",
                Map.of("provisionedConcurrency", 2, "keepAliveSeconds", 1, "maxInstances", 4, "memoryMb", 128));
        assertThat(deployed.get("provisionedConcurrency").asInt()).isEqualTo(2);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(instances("steady").get("idle").asInt()).as("warm without any invocation").isEqualTo(2);
            assertThat(TestNode.runtimeProcesses("steady")).hasSize(2);
        });

        HttpResponse<String> first = node.invoke("steady", Map.of("do", "nothing"));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("\"behaved\"");
        assertThat(first.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("false");

        // the keep-alive is 1 s: plain instances would be gone well within this wait
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                .until(() -> total(instances("steady")) >= 2);

        HttpResponse<String> crash = node.invoke("steady", Map.of("do", "exit"));
        assertThat(TestNode.json(crash).get("errorType").asText()).isEqualTo("Runtime.ExitError");
        awaitTwoReady();

        // an idle instance dying on its own is noticed and replaced too
        List<Long> before = TestNode.runtimeProcesses("steady");
        ProcessHandle.of(before.getFirst()).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(TestNode.runtimeProcesses("steady")).hasSize(2).doesNotContain(before.getFirst()));
        awaitTwoReady();

        assertThat(node.send("DELETE", "/v1/functions/steady", null).statusCode()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(node.platform.scheduler().counts("steady").total()).isZero();
            assertThat(TestNode.runtimeProcesses("steady")).isEmpty();
        });
    }

    @Test
    void anUpdateMovesTheProvisionedInstancesToTheNewCode() {
        node.deploy("moving", "dev.cumulus.testfn.Hello", Map.of("provisionedConcurrency", 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> instances("moving").get("idle").asInt() == 1);
        List<Long> old = TestNode.runtimeProcesses("moving");

        node.deploy("moving", "dev.cumulus.testfn.Hello", Map.of("memoryMb", 128));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(TestNode.runtimeProcesses("moving")).hasSize(1).doesNotContainAnyElementsOf(old));

        node.deploy("moving", "dev.cumulus.testfn.Hello", Map.of("provisionedConcurrency", 0, "keepAliveSeconds", 1));
        await().atMost(Duration.ofSeconds(20)).until(() -> TestNode.runtimeProcesses("moving").isEmpty());
    }

    @Test
    void provisionedConcurrencyAboveMaxInstancesIsRefused() {
        HttpResponse<String> response = node.send("PUT", "/v1/functions/greedy", TestNode.write(Map.of(
                "handler", "dev.cumulus.testfn.Hello", "codeSha256", node.testFunctionsCode(),
                "maxInstances", 2, "provisionedConcurrency", 3)));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(TestNode.json(response).get("error").asText()).isEqualTo("InvalidParameter");
        assertThat(TestNode.json(response).get("message").asText()).contains("provisionedConcurrency");
    }

    private static void awaitTwoReady() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode counts = instances("steady");
            assertThat(counts.get("idle").asInt() + counts.get("busy").asInt()).isEqualTo(2);
            assertThat(TestNode.runtimeProcesses("steady")).hasSize(2);
        });
    }

    private static JsonNode instances(String name) {
        return TestNode.json(node.send("GET", "/v1/functions/" + name, null)).get("instances");
    }

    private static int total(JsonNode counts) {
        return counts.get("starting").asInt() + counts.get("idle").asInt() + counts.get("busy").asInt();
    }
}
