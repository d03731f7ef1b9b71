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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java runtime's framed transport (docs/adr/0042-framed-runtime-transport.md) on a real,
 * sandboxed node: one instance JVM runs many invocations at once over one connection, never more
 * than its function's concurrency, a slow one holds up no other, and a JVM that dies with
 * invocations in flight fails exactly those while the node carries on.
 */
class FrameTransportTest {
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
    void theJavaRuntimeIsOfferedTheFrameSocketInsideItsSandbox() {
        node.deploy("offered", "dev.cumulus.testfn.Gate", Map.of("concurrency", 2, "maxInstances", 1));
        HttpResponse<String> response = node.invoke("offered", Map.of("do", "transport"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("\"/run/cumulus/frames.sock\"");
    }

    @Test
    void functionCodeCannotTakeOverTheFrameSocketOfItsOwnInstance() {
        node.deploy("squatter", "dev.cumulus.testfn.Gate", Map.of("concurrency", 2, "maxInstances", 1));
        HttpResponse<String> response = node.invoke("squatter", Map.of("do", "squat"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).as("the runtime's own connection is the only one").isEqualTo("\"closed\"");
        HttpResponse<String> after = node.invoke("squatter", Map.of("do", "work", "ms", 1));
        assertThat(after.body()).as("the runtime's connection still serves").isEqualTo("\"worked\"");
        assertThat(after.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("false");
    }

    @Test
    void invocationsAtOnceInOneInstanceNeverExceedTheFunctionsConcurrency() throws Exception {
        node.deploy("capped", "dev.cumulus.testfn.Gate",
                Map.of("concurrency", 3, "maxInstances", 1, "timeoutSeconds", 30));
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 24; i++) {
                calls.add(callers.submit(() -> node.invoke("capped", Map.of("do", "work", "ms", 30))));
            }
            for (Future<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get();
                // beyond 3 running and the node's queue, a call may be refused: never run a fourth at once
                assertThat(response.statusCode()).as(response.body()).isIn(200, 429);
                if (response.statusCode() == 200) {
                    assertThat(response.body()).isEqualTo("\"worked\"");
                }
            }
        }
        HttpResponse<String> max = node.invoke("capped", Map.of("do", "max"));
        assertThat(max.statusCode()).isEqualTo(200);
        assertThat(Integer.parseInt(max.body().replace("\"", ""))).as("most invocations the JVM saw at once")
                .isBetween(1, 3);
        assertThat(node.platform.scheduler().counts("capped").total()).isEqualTo(1);
    }

    @Test
    void aSlowInvocationDoesNotHoldUpTheOthersOnTheSameInstance() throws Exception {
        node.deploy("gate", "dev.cumulus.testfn.Gate",
                Map.of("concurrency", 4, "maxInstances", 1, "timeoutSeconds", 40));
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> waiting = callers.submit(() -> node.invoke("gate", Map.of("do", "wait")));
            await().atMost(Duration.ofSeconds(30)).until(() -> node.invoke("gate", Map.of("do", "max"))
                    .body().equals("\"1\""));
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> other = node.invoke("gate", Map.of("do", "work", "ms", 1));
                assertThat(other.statusCode()).isEqualTo(200);
                assertThat(other.body()).isEqualTo("\"worked\"");
            }
            assertThat(waiting).as("the slow one still waits for its release").isNotDone();
            assertThat(node.invoke("gate", Map.of("do", "release")).body()).isEqualTo("\"released\"");
            HttpResponse<String> released = waiting.get();
            assertThat(released.statusCode()).isEqualTo(200);
            assertThat(released.body()).isEqualTo("\"opened\"");
        }
        assertThat(node.platform.scheduler().counts("gate").total()).isEqualTo(1);
    }

    @Test
    void eachLineOfInvocationsRunningAtOnceIsFiledUnderTheInvocationThatWroteIt() throws Exception {
        int parties = 8;
        int lines = 40;
        node.deploy("chatty", "dev.cumulus.testfn.Gate",
                Map.of("concurrency", parties, "maxInstances", 1, "timeoutSeconds", 40));
        List<String> requestIds = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < parties; i++) {
                calls.add(callers.submit(() -> node.invoke("chatty",
                        Map.of("do", "chatter", "parties", parties, "lines", lines))));
            }
            for (Future<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get();
                assertThat(response.body()).as("all %d ran at once in the one instance", parties)
                        .isEqualTo("\"chattered\"");
                requestIds.add(response.headers().firstValue("X-Cumulus-Request-Id").orElseThrow());
            }
        }
        // the output reader runs beside the invocations: their lines may land just after the answers
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(InstanceDeathTest
                .functionLog(node, "chatty").stream().filter(line -> line.get("line").asText().startsWith("chatter "))
                .count()).isEqualTo((long) parties * (lines + 2)));
        List<JsonNode> log = InstanceDeathTest.functionLog(node, "chatty");
        for (String requestId : requestIds) {
            List<String> filed = log.stream().filter(line -> requestId.equals(line.path("requestId").asText()))
                    .map(line -> line.get("line").asText()).filter(line -> line.startsWith("chatter ")).toList();
            assertThat(filed).as("lines filed under %s", requestId).hasSize(lines + 2)
                    .allSatisfy(line -> assertThat(line).startsWith("chatter " + requestId + " "))
                    .contains("chatter " + requestId + " pieces 1", "chatter " + requestId + " err 2",
                            "chatter " + requestId + " logger 3", "chatter " + requestId + " helper",
                            "chatter " + requestId + " open");
        }
        assertThat(log).noneSatisfy(line -> assertThat(line.get("line").asText()).contains("\u001e"));
    }

    @Test
    void aJvmThatDiesMidInvocationFailsItsInFlightInvocationsAndTheNodeCarriesOn() throws Exception {
        node.deploy("doomed", "dev.cumulus.testfn.Gate",
                Map.of("concurrency", 4, "maxInstances", 1, "timeoutSeconds", 40));
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> waiting = callers.submit(() -> node.invoke("doomed", Map.of("do", "wait")));
            await().atMost(Duration.ofSeconds(30)).until(() -> node.invoke("doomed", Map.of("do", "max"))
                    .body().equals("\"1\""));
            HttpResponse<String> halted = node.invoke("doomed", Map.of("do", "halt"));
            assertCrash(halted);
            assertCrash(waiting.get()); // in flight on the same JVM: failed now, not at its deadline
        }
        HttpResponse<String> after = node.invoke("doomed", Map.of("do", "work", "ms", 1));
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).as("a fresh instance serves the function").isEqualTo("\"worked\"");
        assertThat(after.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("true");
        assertThat(node.send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void linesAnInvocationWroteJustBeforeItsJvmDiedAreFiledUnderIt() {
        node.deploy("dying", "dev.cumulus.testfn.Gate", Map.of("concurrency", 4, "maxInstances", 1));
        HttpResponse<String> died = node.invoke("dying", Map.of("do", "last-words"));
        assertCrash(died);
        String requestId = died.headers().firstValue("X-Cumulus-Request-Id").orElseThrow();
        // they crossed the frame connection ahead of the crash: the node reads it to its end
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(InstanceDeathTest
                .functionLog(node, "dying").stream().filter(line -> requestId.equals(line.path("requestId").asText()))
                .map(line -> line.get("line").asText()).toList())
                .contains("last words " + requestId + " by logger", "last words " + requestId + " on stdout"));
    }

    private static void assertCrash(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Cumulus-Function-Error")).hasValue("Unhandled");
        JsonNode error = TestNode.json(response);
        assertThat(error.get("errorType").asText()).as(response.body()).isEqualTo("Runtime.ExitError");
        assertThat(error.get("errorMessage").asText()).contains("status 7");
    }
}
