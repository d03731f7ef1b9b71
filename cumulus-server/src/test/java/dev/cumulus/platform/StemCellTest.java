package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cold starts from stem cells: the right code and limits, and nothing of one function (classes,
 * /tmp, environment) reaching the next function a cell of the same pool serves.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StemCellTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c.withStemCells(1));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static void awaitWaitingCell(int memoryMb) {
        await().atMost(Duration.ofSeconds(30)).until(() -> node.platform.scheduler().waitingStemCells(memoryMb) == 1);
    }

    @Test
    @Order(1)
    void aColdStartSpecialisesAWaitingCellWithTheFunctionsCodeEnvironmentAndLimits() throws IOException {
        awaitWaitingCell(256);
        long hits = node.platform.scheduler().stemCellHits();
        node.deploy("first", "dev.cumulus.testfn.Snoop", Map.of("memoryMb", 256, "environment", Map.of("COLOR", "red")));

        HttpResponse<String> response = node.invoke("first", Map.of("env", true));
        assertThat(response.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("true");
        assertThat(node.platform.scheduler().stemCellHits()).isEqualTo(hits + 1);
        JsonNode env = TestNode.json(response).get("env");
        assertThat(env.get("COLOR").asText()).isEqualTo("red");
        assertThat(env.get("AWS_LAMBDA_FUNCTION_NAME").asText()).isEqualTo("first");
        assertThat(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").asText()).isEqualTo("256");
        assertThat(env.get("_HANDLER").asText()).isEqualTo("dev.cumulus.testfn.Snoop");
        assertThat(env.has("CUMULUS_STEM_CELL")).as("the cell's own marker is gone").isFalse();

        assertThat(TestNode.json(node.invoke("first", Map.of("list", "/tmp"))).get("entries")).isEmpty();
        assertThat(TestNode.json(node.invoke("first", Map.of("write", "/tmp/left-behind"))).get("ok").asBoolean())
                .isTrue();

        assertThat(memoryLimitOf("first")).isEqualTo(256L * 1024 * 1024);
    }

    @Test
    @Order(2)
    void theNextFunctionGetsAFreshCellWithNothingOfTheFirst() {
        awaitWaitingCell(256); // the pool refilled after the first test took its cell
        long hits = node.platform.scheduler().stemCellHits();
        node.deploy("second", "dev.cumulus.testfn.Snoop", Map.of("memoryMb", 256));

        HttpResponse<String> response = node.invoke("second", Map.of("env", true));
        assertThat(node.platform.scheduler().stemCellHits()).isEqualTo(hits + 1);
        JsonNode env = TestNode.json(response).get("env");
        assertThat(env.has("COLOR")).as("no variable of the first function").isFalse();
        assertThat(env.get("AWS_LAMBDA_FUNCTION_NAME").asText()).isEqualTo("second");
        assertThat(TestNode.json(node.invoke("second", Map.of("list", "/tmp"))).get("entries"))
                .as("a clean /tmp").isEmpty();
    }

    @Test
    @Order(3)
    void classesStartFreshInEveryCell() {
        awaitWaitingCell(256);
        node.deploy("counter-a", "dev.cumulus.testfn.Hello", Map.of());
        node.invoke("counter-a", Map.of("name", "a"));
        assertThat(TestNode.json(node.invoke("counter-a", Map.of("name", "a"))).get("calls").asInt()).isEqualTo(2);

        awaitWaitingCell(256);
        long hits = node.platform.scheduler().stemCellHits();
        node.deploy("counter-b", "dev.cumulus.testfn.Hello", Map.of());
        JsonNode first = TestNode.json(node.invoke("counter-b", Map.of("name", "b")));
        assertThat(node.platform.scheduler().stemCellHits()).isEqualTo(hits + 1);
        assertThat(first.get("calls").asInt()).as("static state starts over in a new class loader").isEqualTo(1);
        assertThat(first.get("greeting").asText()).isEqualTo("Hello, b!");
    }

    @Test
    @Order(4)
    void aNewMemorySizeStartsFromNothingThenThePoolAdapts() throws IOException {
        long misses = node.platform.scheduler().stemCellMisses();
        node.deploy("big-a", "dev.cumulus.testfn.Hello", Map.of("memoryMb", 512));
        HttpResponse<String> cold = node.invoke("big-a", Map.of("name", "x"));
        assertThat(cold.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("true");
        assertThat(node.platform.scheduler().stemCellMisses()).isEqualTo(misses + 1);

        awaitWaitingCell(512); // demand for 512 MB: the pool now keeps a cell of that size
        long hits = node.platform.scheduler().stemCellHits();
        node.deploy("big-b", "dev.cumulus.testfn.Hello", Map.of("memoryMb", 512));
        assertThat(node.invoke("big-b", Map.of("name", "y")).statusCode()).isEqualTo(200);
        assertThat(node.platform.scheduler().stemCellHits()).isEqualTo(hits + 1);
        assertThat(memoryLimitOf("big-b")).isEqualTo(512L * 1024 * 1024);
    }

    /** The memory cgroup limit of the function's one instance, read on the host. */
    private static long memoryLimitOf(String function) throws IOException {
        long pid = TestNode.json(node.send("GET", "/v1/functions/" + function + "/instances", null))
                .at("/instances/0/pid").asLong();
        String memoryCgroup = Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup")).stream()
                .filter(l -> l.split(":")[1].equals("memory"))
                .map(l -> l.split(":", 3)[2])
                .findFirst().orElseThrow();
        return Long.parseLong(Files.readString(
                Path.of("/sys/fs/cgroup/memory" + memoryCgroup, "memory.limit_in_bytes")).strip());
    }
}
