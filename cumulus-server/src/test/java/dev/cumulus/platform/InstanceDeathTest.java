package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instances and stem cells killed from outside the node (an operator's {@code kill -9}, the host's
 * OOM killer): the node notices, says so in its log and the function's, never hands the dead
 * process to a caller, and the next call is served.
 */
class InstanceDeathTest {
    private final ByteArrayOutputStream nodeLog = new ByteArrayOutputStream();
    private PrintStream originalErr;

    /** The node logs to stderr (slf4j-simple looks System.err up on every line); keep a copy. */
    @BeforeEach
    void teeStderr() {
        originalErr = System.err;
        OutputStream both = new OutputStream() {
            @Override
            public void write(int b) {
                originalErr.write(b);
                synchronized (nodeLog) {
                    nodeLog.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                originalErr.write(b, off, len);
                synchronized (nodeLog) {
                    nodeLog.write(b, off, len);
                }
            }
        };
        System.setErr(new PrintStream(both, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(originalErr);
    }

    private String nodeLog() {
        synchronized (nodeLog) {
            return nodeLog.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void anIdleInstanceKilledFromOutsideIsNoticedLoggedAndTheNextCallSucceedsCold(@TempDir Path dataDir)
            throws IOException {
        try (TestNode node = new TestNode(dataDir, c -> c.withStemCells(0))) {
            node.deploy("victim", "dev.cumulus.testfn.Hello", Map.of());
            assertThat(node.invoke("victim", Map.of("name", "a")).statusCode()).isEqualTo(200);
            JsonNode instance = TestNode.json(node.send("GET", "/v1/functions/victim/instances", null))
                    .at("/instances/0");
            String instanceId = instance.get("id").asText();

            assertThat(ProcessHandle.of(instance.get("pid").asLong()).orElseThrow().destroyForcibly()).isTrue();

            await().atMost(Duration.ofSeconds(20)).until(() -> TestNode.json(
                    node.send("GET", "/v1/functions/victim/instances", null)).get("instances").isEmpty());
            await().atMost(Duration.ofSeconds(5)).until(() -> nodeLog().lines().anyMatch(l -> l.contains("WARN")
                    && l.contains("instance " + instanceId + " of victim") && l.contains("signal 9")));
            assertThat(functionLog(node, "victim")).anySatisfy(line -> assertThat(line.get("line").asText())
                    .contains("instance " + instanceId + " ended while idle").contains("killed by signal 9"));

            HttpResponse<String> next = node.invoke("victim", Map.of("name", "b"));
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(next.headers().firstValue("X-Cumulus-Function-Error")).isEmpty();
            assertThat(next.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("true");
            assertThat(TestNode.json(next).get("greeting").asText()).isEqualTo("Hello, b!");
        }
    }

    @Test
    void aStemCellKilledFromOutsideIsNeverHandedOutAndIsReplaced(@TempDir Path dataDir) throws IOException {
        try (TestNode node = new TestNode(dataDir, c -> c.withStemCells(1))) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> node.platform.scheduler().waitingStemCellPids(256).size() == 1);
            long cell = node.platform.scheduler().waitingStemCellPids(256).getFirst();
            ProcessHandle handle = ProcessHandle.of(cell).orElseThrow();
            assertThat(handle.destroyForcibly()).isTrue();
            handle.onExit().join();

            // at once, before the node may have finished cleaning up after the cell
            node.deploy("after-cell", "dev.cumulus.testfn.Hello", Map.of());
            HttpResponse<String> response = node.invoke("after-cell", Map.of("name", "c"));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("X-Cumulus-Function-Error")).as(response.body()).isEmpty();
            assertThat(TestNode.json(response).get("greeting").asText()).isEqualTo("Hello, c!");

            await().atMost(Duration.ofSeconds(60)).until(() -> {
                List<Long> waiting = node.platform.scheduler().waitingStemCellPids(256);
                return waiting.size() == 1 && !waiting.contains(cell);
            });
            assertThat(nodeLog()).contains("stem cell").contains("(pid " + cell + ") ended without being stopped");
        }
    }

    static List<JsonNode> functionLog(TestNode node, String function) {
        String body = node.send("GET", "/v1/functions/" + function + "/logs?limit=1000", null).body();
        return body.lines().filter(l -> !l.isBlank()).map(l -> {
            try {
                return TestNode.JSON.readTree(l);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }
}
