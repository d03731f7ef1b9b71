package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.store.TestDatabase;
import dev.cumulus.web.Json;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two node processes on one PostgreSQL database (a schema of this test's own), each with its own
 * data dir and port, joined by the cluster bus on the real NATS (ADR 0041): a document written on
 * node A reaches realtime subscribers on node B, over the WebSocket and over Server-Sent Events.
 * Both nodes look at the log on their own only once an hour ({@code cumulus.realtime.look}), so
 * only the notice can have woken B within the test's time; a plain NATS subscriber sees that notice.
 */
class ClusterFanOutTest {
    static final String NATS = "nats://127.0.0.1:4222";
    static final String DB = "/v1/projects/fan/db";

    @TempDir
    static Path dir;

    static TestDatabase database;
    static NodeProcess a;
    static NodeProcess b;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.create(TestDatabase.Backend.POSTGRES, Files.createDirectories(dir.resolve("schema")));
        Map<String, String> cluster = Map.of(NodeProcessMain.DB, database.jdbcUrl(), NodeProcessMain.CLUSTER_BUS, NATS,
                "cumulus.realtime.look", "PT1H");
        // one after the other: the first creates the schema (Flyway), the second finds it current
        a = NodeProcess.start(Files.createDirectories(dir.resolve("a")), dir.resolve("a.log"), cluster);
        b = NodeProcess.start(Files.createDirectories(dir.resolve("b")), dir.resolve("b.log"), cluster);
        http = HttpClient.newHttpClient();
        HttpResponse<String> project = a.send(http, HttpRequest.newBuilder(a.url().resolve("/v1/projects"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"fan\"}")));
        assertThat(project.statusCode()).as(project.body()).isEqualTo(201);
        HttpResponse<String> collection = a.send(http, HttpRequest.newBuilder(a.url().resolve(DB + "/collections/items"))
                .PUT(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(collection.statusCode()).as(collection.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (http != null) {
            http.close();
        }
        for (NodeProcess node : new NodeProcess[] {a, b}) {
            if (node != null) {
                node.process().destroy();
                node.process().waitFor(60, TimeUnit.SECONDS);
            }
        }
        if (database != null) {
            database.close();
        }
    }

    static HttpResponse<String> put(NodeProcess node, String path, String body) {
        return node.send(http, HttpRequest.newBuilder(node.url().resolve(path))
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A WebSocket client that queues every message it gets. */
    static final class Socket implements WebSocket.Listener {
        final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    messages.add(Json.MAPPER.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new AssertionError(partial.toString(), e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        JsonNode next() throws InterruptedException {
            JsonNode m = messages.poll(30, TimeUnit.SECONDS);
            assertThat(m).as("a message within 30 s (the nodes look on their own only hourly)").isNotNull();
            return m;
        }
    }

    @Test
    void aWriteOnOneNodeReachesAWebSocketSubscriberOnTheOtherByTheNotice() throws Exception {
        try (Connection plain = Nats.connect(NATS)) {
            Subscription notices = plain.subscribe("cumulus.db.changes.fan.items");
            plain.flush(Duration.ofSeconds(10));
            Socket socket = new Socket();
            WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + b.token())
                    .subprotocols("cumulus.realtime.v1")
                    .buildAsync(URI.create(b.url().resolve(DB + "/realtime").toString().replaceFirst("^http", "ws")), socket)
                    .join();
            ws.sendText("{\"type\":\"subscribe\",\"id\":\"s\",\"collection\":\"items\"}", true).join();
            JsonNode subscribed = socket.next();
            assertThat(subscribed.path("type").asText()).as(subscribed.toString()).isEqualTo("subscribed");

            HttpResponse<String> written = put(a, DB + "/collections/items/documents/ws", "{\"colour\":\"red\"}");
            assertThat(written.statusCode()).as(written.body()).isIn(200, 201);

            JsonNode change = socket.next();
            assertThat(change.path("type").asText()).as(change.toString()).isEqualTo("change");
            assertThat(change.at("/data/after/id").asText()).isEqualTo("ws");
            assertThat(change.at("/data/after/data/colour").asText()).isEqualTo("red");
            long seq = change.path("seq").asLong();

            Message notice = notices.nextMessage(Duration.ofSeconds(30));
            assertThat(notice).as("node A's notice on NATS").isNotNull();
            JsonNode body = Json.MAPPER.readTree(notice.getData());
            assertThat(body.path("project").asText()).isEqualTo("fan");
            assertThat(body.path("collection").asText()).isEqualTo("items");
            assertThat(body.path("seq").asLong()).isEqualTo(seq);
            assertThat(body.path("node").asText()).isEqualTo(notice.getHeaders().getFirst("Cumulus-Node")).isNotBlank();
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }
    }

    @Test
    void aWriteOnOneNodeReachesAServerSentEventsSubscriberOnTheOther() throws Exception {
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(b.url().resolve(DB + "/collections/items/changes"))
                .header("Authorization", "Bearer " + b.token()).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException ended) {
                // the test closed the stream
            }
        });
        try {
            String first = lines.poll(30, TimeUnit.SECONDS);
            assertThat(first).as("the stream's opening comment").startsWith(": stream of items after");

            HttpResponse<String> written = put(a, DB + "/collections/items/documents/sse", "{\"colour\":\"blue\"}");
            assertThat(written.statusCode()).as(written.body()).isIn(200, 201);

            String data = null;
            while (data == null) {
                String line = lines.poll(30, TimeUnit.SECONDS);
                assertThat(line).as("an event within 30 s (the nodes look on their own only hourly)").isNotNull();
                if (line.startsWith("data: ")) {
                    data = line.substring("data: ".length());
                }
            }
            JsonNode event = Json.MAPPER.readTree(data);
            assertThat(event.at("/after/id").asText()).isEqualTo("sse");
            assertThat(event.at("/after/data/colour").asText()).isEqualTo("blue");
        } finally {
            stream.body().close();
            reader.interrupt();
        }
    }

    @Test
    void aNodeWhoseClusterBusDoesNotAnswerDoesNotStart() throws Exception {
        TcpRelay nobody = TcpRelay.to(4222); // a free port nobody listens on
        Path log = dir.resolve("unreachable.log");
        assertThatThrownBy(() -> NodeProcess.start(Files.createDirectories(dir.resolve("unreachable")), log,
                Map.of(NodeProcessMain.CLUSTER_BUS, "nats://127.0.0.1:" + nobody.port())))
                .hasMessageContaining("ended before it was ready");
        assertThat(Files.readString(log)).contains("the cluster bus nats://127.0.0.1:" + nobody.port() + " is not reachable");
    }
}
