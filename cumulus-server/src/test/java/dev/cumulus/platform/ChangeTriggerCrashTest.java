package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Change triggers across a SIGKILL (issue 16): a node killed while documents are being written,
 * started again on the same data dir, has fired its trigger function once per committed write,
 * no more, no fewer. The node runs in a process of its own so it can really be killed.
 */
class ChangeTriggerCrashTest {
    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final List<Process> processes = new ArrayList<>();
    volatile NodeProcess node;
    volatile URI url;
    volatile String token;

    @AfterEach
    void stopNodes() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void aTriggerFiresOncePerCommittedWriteAcrossAKill() throws Exception {
        Path dataDir = dir.resolve("data");
        Process first = startNode(dataDir, "first");
        node.deployTestFunction(http, "trigger", "dev.cumulus.testfn.CloudEventLog", Map.of());
        // topics are served in project default, so the collection is there too
        assertThat(send(put("/v1/topics/changes", null)).statusCode()).isEqualTo(201);
        assertThat(send(HttpRequest.newBuilder(url.resolve("/v1/topics/changes/subscriptions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"function\":\"trigger\"}"))).statusCode()).isEqualTo(201);
        assertThat(send(put("/v1/db/collections/stock", "{\"changesTopic\":\"changes\"}")).statusCode()).isEqualTo(201);

        // a writer goes on until the node dies under it; what it saw acknowledged is surely committed
        Set<Long> acknowledged = new java.util.concurrent.ConcurrentSkipListSet<>();
        AtomicInteger written = new AtomicInteger();
        CountDownLatch enough = new CountDownLatch(1);
        Thread writer = Thread.ofVirtual().start(() -> {
            for (int i = 0; ; i++) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(url.resolve("/v1/db/collections/stock/documents/d" + (i % 20)))
                            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10))
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + "}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() / 100 == 2) {
                        acknowledged.add((long) i);
                    }
                } catch (Exception nodeGone) {
                    return;
                }
                if (written.incrementAndGet() == 150) {
                    enough.countDown();
                }
            }
        });
        enough.await();
        first.destroyForcibly(); // SIGKILL mid-stream: no shutdown hook, no drain
        assertThat(first.waitFor()).isEqualTo(137);
        writer.join();

        startNode(dataDir, "second");
        // what was committed: every change the collection's log holds (all within its retention)
        Map<Long, String> committed = new HashMap<>();
        java.util.concurrent.BlockingQueue<JsonNode> messages = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .buildAsync(URI.create(url.toString().replaceFirst("^http", "ws")).resolve("/v1/db/realtime"),
                        new java.net.http.WebSocket.Listener() {
                            final StringBuilder partial = new StringBuilder();

                            @Override
                            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket socket,
                                    CharSequence data, boolean last) {
                                partial.append(data);
                                if (last) {
                                    try {
                                        messages.add(TestNode.JSON.readTree(partial.toString()));
                                    } catch (IOException e) {
                                        throw new UncheckedIOException(e);
                                    }
                                    partial.setLength(0);
                                }
                                socket.request(1);
                                return null;
                            }
                        }).join();
        ws.sendText("{\"type\":\"subscribe\",\"id\":\"head\",\"collection\":\"stock\",\"doc\":\"d0\"}", true).join();
        JsonNode head = messages.poll(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(head.path("type").asText()).as(head.toString()).isEqualTo("subscribed");
        ws.sendText("{\"type\":\"subscribe\",\"id\":\"all\",\"collection\":\"stock\",\"after\":0}", true).join();
        while (committed.size() < head.get("position").asLong()) {
            JsonNode m = messages.poll(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(m).as("the log up to its head").isNotNull();
            if (m.path("type").asText().equals("change")) {
                JsonNode event = m.get("data");
                committed.put(event.get("seq").asLong(), "db:default:stock:" + event.get("epoch").asLong() + ":"
                        + event.get("seq").asLong());
            }
        }
        ws.abort();
        assertThat(committed.size()).isGreaterThanOrEqualTo(acknowledged.size());
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .until(() -> invocations().size() >= committed.size() && !fired().isEmpty());
        List<String> fired = fired();
        // once per committed write: each change's event, none twice, none missing
        assertThat(fired).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(fired)).isEqualTo(new TreeSet<>(committed.values()));
    }

    /** The invocations of the trigger (the node's durable record of each event it took), newest first. */
    private List<JsonNode> invocations() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(url.resolve("/v1/functions/trigger/invocations?limit=1000")).GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> all = new ArrayList<>();
        TestNode.json(response).get("invocations").forEach(all::add);
        return all;
    }

    /** The CloudEvent id of each invocation of the trigger, once every one has succeeded; else empty. */
    private List<String> fired() throws Exception {
        List<JsonNode> all = invocations();
        if (!all.stream().allMatch(r -> r.get("state").asText().equals("succeeded"))) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode r : all) {
            JsonNode detail = TestNode.json(send(HttpRequest.newBuilder(url.resolve("/v1/invocations/"
                    + r.get("requestId").asText())).GET()));
            ids.add(detail.at("/event/id").asText());
        }
        return ids;
    }

    private HttpRequest.Builder put(String path, String body) {
        return HttpRequest.newBuilder(url.resolve(path)).PUT(body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
    }

    private Process startNode(Path dataDir, String name) throws IOException {
        NodeProcess node = NodeProcess.start(dataDir, dir.resolve(name + ".log"));
        processes.add(node.process());
        this.node = node;
        url = node.url();
        token = node.token();
        return node.process();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        return node.send(http, request);
    }
}
