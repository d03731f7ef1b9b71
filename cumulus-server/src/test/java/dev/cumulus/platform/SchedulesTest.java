package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schedules on a real node: a cron fires every tick once, also across a restart, and bad input is refused. */
class SchedulesTest {
    @TempDir
    Path dataDir;

    static JsonNode schedule(TestNode node, String name) {
        return TestNode.json(node.send("GET", "/v1/schedules/" + name, null));
    }

    static List<JsonNode> ticks(TestNode node, String name) {
        List<JsonNode> out = new ArrayList<>();
        TestNode.json(node.send("GET", "/v1/schedules/" + name + "/ticks?limit=200", null)).get("ticks").forEach(out::add);
        return out;
    }

    @Test
    void everySecondCronFiresEachTickOnceAcrossARestart() throws IOException {
        Instant firstTick;
        Path tickDir = java.nio.file.Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-ticks"));
        try (TestNode first = new TestNode(dataDir, c -> c)) {
            // the function writes each tick it sees to a directory the admin granted it
            String visible = first.platform.sandbox().isolated() ? "/mnt/ticks" : tickDir.toString();
            first.deploy("ticker", "dev.cumulus.testfn.TickRecorder", Map.of("environment", Map.of("TICK_DIR", visible),
                    "mounts", List.of(Map.of("source", tickDir.toString(), "target", "/mnt/ticks", "writable", true))));
            HttpResponse<String> created = first.send("POST", "/v1/schedules", TestNode.write(Map.of(
                    "name", "every-second", "function", "ticker", "cron", "* * * * * *", "payload", Map.of("n", 1))));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            firstTick = Instant.parse(TestNode.json(created).get("nextFireTime").asText());
            // half of the ten seconds on this node, then a restart in the middle
            await().atMost(Duration.ofSeconds(30)).until(() -> schedule(first, "every-second").get("firedTicks").asLong() >= 5);
        }
        Instant windowEnd = firstTick.plusSeconds(10);
        try (TestNode second = new TestNode(dataDir, c -> c)) {
            await().atMost(Duration.ofSeconds(40)).until(() -> ticks(second, "every-second").stream()
                    .anyMatch(t -> !Instant.parse(t.get("tick").asText()).isBefore(windowEnd.plusSeconds(1))));
            assertThat(second.send("POST", "/v1/schedules/every-second/disable", null).statusCode()).isEqualTo(200);

            List<JsonNode> ticks = ticks(second, "every-second");
            Set<Instant> fired = new HashSet<>();
            for (JsonNode tick : ticks) {
                if (tick.get("outcome").asText().equals("sent")) fired.add(Instant.parse(tick.get("tick").asText()));
            }
            long inWindow = fired.stream().filter(t -> !t.isBefore(firstTick) && t.isBefore(windowEnd)).count();
            assertThat(inWindow).as("ticks fired in the first ten seconds: %s", ticks).isBetween(9L, 10L);
            assertThat(ticks).as("nothing is left claimed and unsent")
                    .noneMatch(t -> t.get("outcome").asText().equals("claimed"));

            // at the function: every invocation came from a distinct tick, and none ran twice
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode usage = TestNode.json(second.send("GET", "/v1/usage", null));
                long invocations = 0;
                for (JsonNode row : usage.get("functions")) {
                    if (row.get("function").asText().equals("ticker")) invocations = row.get("requests").asLong();
                }
                assertThat(invocations).isLessThanOrEqualTo(fired.size()).isGreaterThanOrEqualTo(fired.size() - 1);
            });
            // at the function, in its own durable record: each tick once, none twice
            await().atMost(Duration.ofSeconds(30)).until(() -> java.nio.file.Files.readAllLines(tickDir.resolve("ticks")).size()
                    >= fired.size() - 1);
            List<String> seen = java.nio.file.Files.readAllLines(tickDir.resolve("ticks")).stream()
                    .map(line -> line.split(" ")[0]).toList();
            long seenInWindow = seen.stream().map(Instant::parse)
                    .filter(t -> !t.isBefore(firstTick) && t.isBefore(windowEnd)).count();
            assertThat(seen).as("ticks the function saw").doesNotHaveDuplicates();
            assertThat(seenInWindow).as("ticks the function saw in the first ten seconds: %s", seen).isBetween(9L, 10L);
        }
    }

    @Test
    void mountsAreCheckedWhenGranted() throws IOException {
        try (TestNode node = new TestNode(dataDir, c -> c)) {
            node.testFunctionsCode();
            record Bad(Object mounts, String why) {}
            for (Bad bad : List.of(
                    new Bad(List.of(Map.of("source", dataDir.toAbsolutePath().toString(), "target", "/mnt/data")), "root token"),
                    new Bad(List.of(Map.of("source", "/tmp", "target", "/etc/x")), "under /mnt/"),
                    new Bad(List.of(Map.of("source", "relative/dir", "target", "/mnt/x")), "absolute"),
                    new Bad(List.of(Map.of("source", "/nonexistent-cumulus-dir", "target", "/mnt/x")), "does not exist"),
                    new Bad(List.of(Map.of("source", "/tmp", "target", "/mnt/x"), Map.of("source", "/var", "target", "/mnt/x")), "share"),
                    new Bad(List.of(Map.of("source", "/tmp")), "target"))) {
                HttpResponse<String> response = node.send("PUT", "/v1/functions/mounted", TestNode.write(Map.of(
                        "handler", "dev.cumulus.testfn.Hello", "codeSha256", node.testFunctionsCode(), "mounts", bad.mounts())));
                assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
                assertThat(response.body()).contains(bad.why());
            }
            Path granted = java.nio.file.Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-granted"));
            JsonNode ok = node.deploy("mounted", "dev.cumulus.testfn.Hello",
                    Map.of("mounts", List.of(Map.of("source", granted.toString(), "target", "/mnt/granted"))));
            assertThat(ok.get("mounts").get(0).get("writable").asBoolean()).isFalse();
        }
    }

    @Test
    void schedulesAreManagedAndBadInputIsRefused() throws IOException {
        try (TestNode node = new TestNode(dataDir, c -> c)) {
            node.deploy("target", "dev.cumulus.testfn.EventEcho", Map.of());
            HttpResponse<String> created = node.send("POST", "/v1/schedules", TestNode.write(Map.of("name", "nightly",
                    "function", "target", "cron", "0 2 * * *", "timeZone", "Europe/Berlin", "catchUp", "skip")));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode nightly = TestNode.json(created);
            assertThat(nightly.get("expression").asText()).isEqualTo("cron(0 2 * * *)");
            assertThat(nightly.get("timeZone").asText()).isEqualTo("Europe/Berlin");
            assertThat(nightly.get("catchUp").asText()).isEqualTo("skip");
            assertThat(nightly.get("enabled").asBoolean()).isTrue();
            Instant next = Instant.parse(nightly.get("nextFireTime").asText());
            assertThat(next.atZone(java.time.ZoneId.of("Europe/Berlin")).getHour()).isEqualTo(2);
            // shown on the schedule's own clock: 02:00 with Berlin's offset that night, not 01:00Z
            java.time.ZoneOffset berlin = java.time.ZoneId.of("Europe/Berlin").getRules().getOffset(next);
            assertThat(nightly.get("nextFireTime").asText()).isEqualTo(
                    next.atZone(berlin).toLocalDate() + "T02:00:00" + berlin.getId());

            HttpResponse<String> rate = node.send("POST", "/v1/schedules", TestNode.write(Map.of("name", "often",
                    "function", "target", "rate", "5 minutes", "enabled", false)));
            assertThat(rate.statusCode()).as(rate.body()).isEqualTo(201);
            assertThat(TestNode.json(rate).get("expression").asText()).isEqualTo("rate(5 minutes)");
            HttpResponse<String> single = node.send("POST", "/v1/schedules", TestNode.write(Map.of("name", "each-minute",
                    "function", "target", "rate", "1 minutes", "enabled", false)));
            assertThat(TestNode.json(single).get("expression").asText()).as(single.body()).isEqualTo("rate(1 minute)");
            assertThat(node.send("DELETE", "/v1/schedules/each-minute", null).statusCode()).isEqualTo(204);
            assertThat(TestNode.json(rate).get("nextFireTime").isNull()).isTrue();

            JsonNode enabled = TestNode.json(node.send("POST", "/v1/schedules/often/enable", null));
            assertThat(enabled.get("enabled").asBoolean()).isTrue();
            assertThat(Instant.parse(enabled.get("nextFireTime").asText())).isAfter(Instant.now());
            assertThat(TestNode.json(node.send("POST", "/v1/schedules/often/disable", null)).get("enabled").asBoolean()).isFalse();
            assertThat(TestNode.json(node.send("GET", "/v1/schedules", null)).get("schedules"))
                    .extracting(s -> s.get("name").asText()).containsExactly("nightly", "often");
            assertThat(node.send("DELETE", "/v1/schedules/often", null).statusCode()).isEqualTo(204);
            assertThat(node.send("GET", "/v1/schedules/often", null).statusCode()).isEqualTo(404);
            assertThat(node.send("POST", "/v1/schedules/often/enable", null).statusCode()).isEqualTo(404);
            assertThat(node.send("GET", "/v1/schedules", null, null).statusCode()).isEqualTo(401);

            record Bad(Map<String, Object> body, int status, String code) {}
            for (Bad bad : List.of(
                    new Bad(Map.of("name", "a", "function", "target", "cron", "61 * * * *"), 400, "InvalidCron"),
                    new Bad(Map.of("name", "a", "function", "target", "cron", "* * *"), 400, "InvalidCron"),
                    new Bad(Map.of("name", "a", "function", "target", "cron", "0 2 * * *", "timeZone", "Mars/Olympus"), 400, "InvalidTimeZone"),
                    new Bad(Map.of("name", "a", "function", "target", "rate", "0 minutes"), 400, "InvalidRate"),
                    new Bad(Map.of("name", "a", "function", "target", "rate", "5 fortnights"), 400, "InvalidRate"),
                    new Bad(Map.of("name", "a", "function", "target"), 400, "InvalidExpression"),
                    new Bad(Map.of("name", "a", "function", "target", "cron", "0 2 * * *", "rate", "1 day"), 400, "InvalidExpression"),
                    new Bad(Map.of("name", "a", "function", "missing", "rate", "1 day"), 400, "UnknownFunction"),
                    new Bad(Map.of("name", "a b", "function", "target", "rate", "1 day"), 400, "InvalidName"),
                    new Bad(Map.of("name", "a", "function", "target", "rate", "1 day", "payload", List.of(1)), 400, "InvalidPayload"),
                    new Bad(Map.of("name", "a", "function", "target", "rate", "1 day", "catchUp", "always"), 400, "InvalidCatchUp"),
                    new Bad(Map.of("name", "a", "function", "target", "rate", "1 day", "when", "now"), 400, "UnknownField"),
                    new Bad(Map.of("name", "nightly", "function", "target", "rate", "1 day"), 409, "ScheduleExists"))) {
                HttpResponse<String> response = node.send("POST", "/v1/schedules", TestNode.write(bad.body()));
                assertThat(response.statusCode()).as(bad + " -> " + response.body()).isEqualTo(bad.status());
                assertThat(TestNode.json(response).get("error").asText()).as(response.body()).isEqualTo(bad.code());
            }
        }
    }
}
