package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project's {@code concurrentInstances} quota (issue 11, part 8) on a real node: every instance
 * of the project counts, busy or idle; a project at its quota hands an idle instance of one of its
 * functions over to another, and when none is idle the invocation is refused with {@code 429}
 * naming the quota; another project is not held back; a raised quota applies at once. The node's
 * queue is off (depth 0), so a refusal is immediate and no test waits for a queue timeout.
 */
class InstanceQuotaTest {
    @TempDir
    static Path dataDir;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dataDir, c -> c.withQueue(0, Duration.ofSeconds(1)));
        ok(node.send("POST", "/v1/projects", "{\"name\":\"crowded\"}"));
        ok(node.send("PUT", "/v1/projects/crowded/quotas", "{\"concurrentInstances\":1}"));
        String code = node.testFunctionsCode();
        for (String[] f : List.of(new String[] {"crowded", "slow", "dev.cumulus.testfn.Sleep"},
                new String[] {"crowded", "quick", "dev.cumulus.testfn.Hello"},
                new String[] {"default", "neighbour", "dev.cumulus.testfn.Sleep"})) {
            ok(node.send("PUT", "/v1/projects/" + f[0] + "/functions/" + f[1],
                    TestNode.write(Map.of("handler", f[2], "codeSha256", code, "keepAliveSeconds", 600))));
        }
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static HttpResponse<String> ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return response;
    }

    static List<String> states(String project, String function) {
        JsonNode instances = TestNode.json(ok(node.send("GET",
                "/v1/projects/" + project + "/functions/" + function + "/instances", null))).get("instances");
        List<String> states = new ArrayList<>();
        instances.forEach(i -> states.add(i.get("state").asText()));
        return states;
    }

    static CompletableFuture<HttpResponse<String>> invokeLater(String project, String function, String body) {
        return CompletableFuture.supplyAsync(() -> node.send("POST",
                "/v1/projects/" + project + "/functions/" + function + "/invoke", body));
    }

    @Test
    void everyInstanceOfTheProjectCountsAndAnIdleOneIsHandedOver() {
        // one busy instance fills the project: another of its functions is refused at once
        CompletableFuture<HttpResponse<String>> slow = invokeLater("crowded", "slow", "{\"ms\":3000}");
        await().atMost(Duration.ofSeconds(30)).until(() -> states("crowded", "slow").contains("BUSY"));
        HttpResponse<String> refused = node.send("POST", "/v1/projects/crowded/functions/quick/invoke", "{}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        assertThat(TestNode.json(refused).get("error").asText()).isEqualTo("TooManyRequests");
        assertThat(TestNode.json(refused).get("message").asText())
                .contains("project crowded runs its quota of 1 concurrent instances");
        // the quota is the project's: the default project starts instances beside it
        ok(node.send("POST", "/v1/functions/neighbour/invoke", "{\"ms\":1}"));
        assertThat(ok(slow.join()).body()).contains("slept 3000");

        // now idle, slow's instance still counts; quick takes it over instead of being refused
        assertThat(states("crowded", "slow")).containsExactly("IDLE");
        ok(node.send("POST", "/v1/projects/crowded/functions/quick/invoke", "{}"));
        assertThat(states("crowded", "quick")).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> states("crowded", "slow").isEmpty());
        assertThat(node.platform.scheduler().projectInstances("crowded")).isEqualTo(1);

        // a raised quota applies at once: both functions keep an instance
        ok(node.send("PUT", "/v1/projects/crowded/quotas", "{\"concurrentInstances\":2}"));
        ok(node.send("POST", "/v1/projects/crowded/functions/slow/invoke", "{\"ms\":1}"));
        assertThat(states("crowded", "slow")).hasSize(1);
        assertThat(states("crowded", "quick")).hasSize(1);
        assertThat(node.platform.scheduler().projectInstances("crowded")).isEqualTo(2);
        assertThat(node.send("GET", "/healthz", null).statusCode()).isEqualTo(200);
    }
}
