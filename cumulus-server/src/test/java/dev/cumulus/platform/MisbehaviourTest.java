package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Functions that time out, exit, exhaust memory, fork-bomb or spin each get their own error,
 * lose their instance, and leave the node serving healthy functions.
 */
class MisbehaviourTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c.withStemCells(0)); // processes found by their exec-time environment
        node.deploy("healthy", "dev.cumulus.testfn.Hello", Map.of());
        node.deploy("bad", "dev.cumulus.testfn.Misbehave", Map.of("timeoutSeconds", 2, "memoryMb", 128));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void spinningPastTheTimeoutIsATimeoutAndTheInstanceIsDestroyed() {
        HttpResponse<String> response = node.invoke("bad", Map.of("do", "spin"));
        assertFailure(response, "Timeout");
        assertLoggedFor(response, "Task timed out after 2 seconds");
        await().atMost(Duration.ofSeconds(10)).until(() -> TestNode.runtimeProcesses("bad").isEmpty());
        assertHealthyStillWorks();
    }

    @Test
    void callingSystemExitIsAnExitError() {
        HttpResponse<String> response = node.invoke("bad", Map.of("do", "exit"));
        JsonNode error = assertFailure(response, "Runtime.ExitError");
        assertThat(error.get("errorMessage").asText()).contains("status 3");
        assertLoggedFor(response, "the instance exited with status 3 (Runtime.ExitError)");
        assertHealthyStillWorks();
    }

    @Test
    void allocatingPastTheMemoryLimitIsOutOfMemory() {
        HttpResponse<String> response = node.invoke("bad", Map.of("do", "alloc"));
        assertFailure(response, "Runtime.OutOfMemory");
        assertLoggedFor(response, "Runtime.OutOfMemory");
        assertHealthyStillWorks();
    }

    /** The function's own log has a line for the failed request: what `cumulus logs` shows. */
    private static void assertLoggedFor(HttpResponse<String> response, String text) {
        String requestId = response.headers().firstValue("X-Cumulus-Request-Id").orElseThrow();
        assertThat(InstanceDeathTest.functionLog(node, "bad"))
                .filteredOn(line -> requestId.equals(line.path("requestId").asText()))
                .anySatisfy(line -> assertThat(line.get("line").asText()).startsWith("cumulus: RequestId: " + requestId)
                        .contains(text));
    }

    @Test
    void forkBombHitsThePidsLimit() {
        assertFailure(node.invoke("bad", Map.of("do", "forkbomb")), "Runtime.PidsLimitExceeded");
        await().atMost(Duration.ofSeconds(10)).until(() -> TestNode.runtimeProcesses("bad").isEmpty());
        assertHealthyStillWorks();
    }

    @Test
    void aCrashedInstanceIsReplacedByAFreshOne() {
        assertFailure(node.invoke("bad", Map.of("do", "exit")), "Runtime.ExitError");
        HttpResponse<String> next = node.invoke("bad", Map.of("do", "nothing"));
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(next.body()).isEqualTo("\"behaved\"");
        assertThat(next.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("true");
    }

    private static JsonNode assertFailure(HttpResponse<String> response, String errorType) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Cumulus-Function-Error")).hasValue("Unhandled");
        JsonNode error = TestNode.json(response);
        assertThat(error.get("errorType").asText()).as(response.body()).isEqualTo(errorType);
        return error;
    }

    private static void assertHealthyStillWorks() {
        HttpResponse<String> ok = node.invoke("healthy", Map.of("name", "still here"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(TestNode.json(ok).get("greeting").asText()).isEqualTo("Hello, still here!");
        assertThat(node.send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
    }
}
