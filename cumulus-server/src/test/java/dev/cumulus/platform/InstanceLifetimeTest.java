package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * What a quiet node does to its instances and stem cells over minutes (issue 9: both died about
 * a minute after the thread that launched them retired). Each test leaves a node alone for
 * three minutes while checking that the processes stay up, then uses them. Tagged {@code idle}
 * ({@code ./mvnw verify -pl cumulus-server -am -Dgroups=idle} runs them alone) and run
 * concurrently with the rest of the suite, one node per test.
 */
@Tag("idle")
@Execution(ExecutionMode.CONCURRENT)
class InstanceLifetimeTest {
    private static final Duration IDLE = Duration.ofMinutes(3);

    @Test
    void aWarmInstanceStaysWarmThroughThreeIdleMinutesAndServesTheNextCallWarm(@TempDir Path dataDir)
            throws IOException {
        try (TestNode node = new TestNode(dataDir, c -> c)) {
            node.deploy("quiet", "dev.cumulus.testfn.Hello", Map.of());
            HttpResponse<String> cold = node.invoke("quiet", Map.of("name", "a"));
            assertThat(cold.statusCode()).isEqualTo(200);
            assertThat(cold.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("true");
            String instance = TestNode.json(cold).get("instance").asText();
            List<ProcessHandle> processes = node.processTree("quiet");
            assertThat(processes).isNotEmpty();

            await().during(IDLE).atMost(IDLE.plusSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> processes.stream().allMatch(ProcessHandle::isAlive));

            HttpResponse<String> warm = node.invoke("quiet", Map.of("name", "b"));
            assertThat(warm.statusCode()).isEqualTo(200);
            assertThat(warm.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("false");
            assertThat(TestNode.json(warm).get("instance").asText()).as("the same JVM").isEqualTo(instance);
            assertThat(TestNode.json(warm).get("calls").asInt()).isEqualTo(2);
        }
    }

    @Test
    void aStemCellStartedThreeMinutesAgoSpecialisesFine(@TempDir Path dataDir) throws IOException {
        try (TestNode node = new TestNode(dataDir, c -> c.withStemCells(1))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> node.platform.scheduler().waitingStemCellPids(256).size() == 1);
            long cell = node.platform.scheduler().waitingStemCellPids(256).getFirst();

            await().during(IDLE).atMost(IDLE.plusSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> ProcessHandle.of(cell).map(ProcessHandle::isAlive).orElse(false)
                            && node.platform.scheduler().waitingStemCellPids(256).equals(List.of(cell)));

            long hits = node.platform.scheduler().stemCellHits();
            node.deploy("late", "dev.cumulus.testfn.Hello", Map.of());
            HttpResponse<String> response = node.invoke("late", Map.of("name", "c"));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(TestNode.json(response).get("greeting").asText()).isEqualTo("Hello, c!");
            assertThat(node.platform.scheduler().stemCellHits()).as("served by the old cell").isEqualTo(hits + 1);
            assertThat(node.processTree("late").getFirst().pid()).isEqualTo(cell);
        }
    }
}
