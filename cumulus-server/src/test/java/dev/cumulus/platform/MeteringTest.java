package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.metering.InvocationRecord;
import dev.cumulus.metering.Outcome;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every invocation leaves one record, and usage totals are exactly the sum of the records. */
class MeteringTest {
    @TempDir
    Path dataDir;

    @Test
    void usageEqualsTheSumOfInvocationRecordsAndSurvivesARestart() throws IOException {
        Set<String> requestIds = new HashSet<>();
        try (TestNode node = new TestNode(dataDir, c -> c)) {
            node.deploy("metered", "dev.cumulus.testfn.Hello", Map.of("memoryMb", 512));
            node.deploy("failing", "dev.cumulus.testfn.Misbehave", Map.of("memoryMb", 128));
            for (int i = 0; i < 12; i++) {
                requestIds.add(requestId(node.invoke("metered", Map.of("name", "n" + i))));
            }
            for (int i = 0; i < 5; i++) {
                requestIds.add(requestId(node.invoke("failing", Map.of("do", i % 2 == 0 ? "throw" : "nothing"))));
            }
        }
        // a fresh node on the same data dir: nothing accepted before shutdown was lost
        try (TestNode node = new TestNode(dataDir, c -> c)) {
            List<InvocationRecord> records = node.platform.usage().records(Instant.EPOCH, Instant.now().plusSeconds(5));
            assertThat(records).extracting(InvocationRecord::requestId).containsExactlyInAnyOrderElementsOf(requestIds);
            assertThat(records).allSatisfy(r -> {
                assertThat(r.billedMs()).isEqualTo(InvocationRecord.billedMillis(r.durationMicros()));
                assertThat(r.billedMs()).isPositive();
            });
            assertThat(records.stream().filter(InvocationRecord::coldStart).count()).isEqualTo(2);
            assertThat(records.stream().filter(r -> r.coldStart()).allMatch(r -> r.initDurationMicros() > 0)).isTrue();

            JsonNode usage = TestNode.json(node.send("GET", "/v1/usage", null));
            for (String function : List.of("metered", "failing")) {
                List<InvocationRecord> mine = records.stream().filter(r -> r.functionName().equals(function)).toList();
                JsonNode row = row(usage, function);
                assertThat(row.get("requests").asLong()).isEqualTo(mine.size());
                assertThat(row.get("errors").asLong())
                        .isEqualTo(mine.stream().filter(r -> r.outcome() != Outcome.SUCCESS).count());
                assertThat(row.get("coldStarts").asLong()).isEqualTo(1);
                assertThat(row.get("billedMs").asLong())
                        .isEqualTo(mine.stream().mapToLong(InvocationRecord::billedMs).sum());
                assertThat(row.get("gbSeconds").asDouble())
                        .isCloseTo(mine.stream().mapToDouble(InvocationRecord::gbSeconds).sum(), within(1e-9));
            }
            assertThat(row(usage, "failing").get("errors").asLong()).isEqualTo(3);
            assertThat(usage.at("/total/requests").asLong()).isEqualTo(17);
        }
    }

    private static String requestId(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        return response.headers().firstValue("X-Cumulus-Request-Id").orElseThrow();
    }

    private static JsonNode row(JsonNode usage, String function) {
        for (JsonNode row : usage.get("functions")) {
            if (row.get("function").asText().equals(function)) {
                return row;
            }
        }
        throw new AssertionError("no usage row for " + function + " in " + usage);
    }
}
