package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.web.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Realtime subscriptions on a real node (issue 16): the WebSocket's protocol, and 1,000 writes
 * watched by 50 clients over WebSocket and Server-Sent Events as different end users, each getting
 * exactly what its read rule allows, in order per document, across a drop and a resume.
 */
class RealtimeTest {
    static final String DB = "/v1/projects/rt/db";
    static final String OWNER_RULE = "request.auth != null && resource.data.owner == request.auth.uid";

    @TempDir
    static Path dataDir;

    static TestNode node;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dataDir, c -> c);
        assertThat(node.send("POST", "/v1/projects", "{\"name\":\"rt\"}").statusCode()).isEqualTo(201);
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        http.close();
        node.close();
    }

    static HttpResponse<String> send(String method, String path, String body) {
        return node.exchange(HttpRequest.newBuilder(node.url(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + node.platform.rootToken()).build());
    }

    static JsonNode endUser() {
        HttpResponse<String> session = node.send("POST", "/v1/projects/rt/auth/anonymous", null, null);
        assertThat(session.statusCode()).as(session.body()).isEqualTo(201);
        return TestNode.json(session);
    }

    /** A WebSocket client that queues every message it gets. */
    static final class Socket implements WebSocket.Listener {
        final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        WebSocket ws;

        static Socket open(String endUserToken) {
            return open(node.platform.rootToken(), endUserToken);
        }

        /** As {@code bearer} (an operator credential), for an end user when {@code endUserToken} is not null. */
        static Socket open(String bearer, String endUserToken) {
            Socket s = new Socket();
            WebSocket.Builder b = http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + bearer)
                    .subprotocols("cumulus.realtime.v1");
            if (endUserToken != null) {
                b.header("X-Cumulus-On-Behalf-Of", "Bearer " + endUserToken);
            }
            URI uri = URI.create(node.url(DB + "/realtime").toString().replaceFirst("^http", "ws"));
            try {
                s.ws = b.buildAsync(uri, s).join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof java.net.http.WebSocketHandshakeException h) {
                    throw new AssertionError("handshake: " + h.getResponse().statusCode() + " " + h.getResponse().body(), e);
                }
                throw e;
            }
            return s;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(Json.MAPPER.valueToTree(parse(partial.toString())));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        void send(String json) {
            ws.sendText(json, true).join();
        }

        JsonNode next() throws InterruptedException {
            JsonNode m = messages.poll(30, TimeUnit.SECONDS);
            assertThat(m).as("a message within 30 s").isNotNull();
            return m;
        }

        void close() {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }
    }

    @Test
    void aKeyAllowedOneCollectionSubscribesToThatOneOnlyAndItsSocketStaysUsable() throws Exception {
        for (String c : new String[] {"iam-a", "iam-b"}) {
            assertThat(send("PUT", DB + "/collections/" + c, "{}").statusCode()).isEqualTo(201);
        }
        String onlyA = apiKey("\"crn:cumulus:db:rt:realtime\", \"crn:cumulus:db:rt:iam-a/*\"");
        Socket socket = Socket.open(onlyA, null);
        socket.send("{\"type\":\"subscribe\",\"id\":\"b\",\"collection\":\"iam-b\"}");
        JsonNode refused = socket.next();
        assertThat(refused.get("type").asText()).as(refused.toString()).isEqualTo("error");
        assertThat(refused.get("id").asText()).isEqualTo("b");
        assertThat(refused.get("error").asText()).isEqualTo("AccessDenied");
        assertThat(refused.get("status").asInt()).isEqualTo(403);
        assertThat(refused.get("message").asText()).contains("db:Listen").contains("crn:cumulus:db:rt:iam-b/*");
        // nor is a name shaped to fall under the allowed collection's resource
        socket.send("{\"type\":\"subscribe\",\"id\":\"b1\",\"collection\":\"iam-a/../iam-b\"}");
        assertThat(socket.next().get("error").asText()).isEqualTo("InvalidCollectionName");
        // resuming is no way around it either
        socket.send("{\"type\":\"subscribe\",\"id\":\"b2\",\"collection\":\"iam-b\",\"after\":0}");
        assertThat(socket.next().get("error").asText()).isEqualTo("AccessDenied");

        // the same socket goes on: the allowed collection subscribes and gets its changes, the other's never come
        socket.send("{\"type\":\"subscribe\",\"id\":\"a\",\"collection\":\"iam-a\"}");
        JsonNode subscribed = socket.next();
        assertThat(subscribed.get("type").asText()).as(subscribed.toString()).isEqualTo("subscribed");
        assertThat(send("PUT", DB + "/collections/iam-b/documents/secret", "{\"n\":1}").statusCode()).isEqualTo(201);
        assertThat(send("PUT", DB + "/collections/iam-a/documents/open", "{\"n\":1}").statusCode()).isEqualTo(201);
        JsonNode change = socket.next();
        assertThat(change.get("type").asText()).as(change.toString()).isEqualTo("change");
        assertThat(change.get("id").asText()).isEqualTo("a");
        assertThat(change.at("/data/id").asText()).isEqualTo("open");
        socket.close();

        // a key without db:Listen on the socket itself cannot open it
        String noSocket = apiKey("\"crn:cumulus:db:rt:iam-a/*\"");
        assertThatThrownBy(() -> Socket.open(noSocket, null)).hasMessageContaining("handshake: 403");
    }

    /** A key of project rt allowed db:Listen on {@code resources} (a JSON list's items) only. */
    static String apiKey(String resources) {
        HttpResponse<String> key = node.send("POST", "/v1/api-keys", """
                {"project":"rt","policy":{"Version":"2026-12-01","Statement":[{"Effect":"Allow","Action":"db:Listen",
                 "Resource":[%s]}]}}""".formatted(resources));
        assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
        return TestNode.json(key).get("token").asText();
    }

    static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }

    @Test
    void aSocketSubscribesToADocumentAndAQueryGetsTheirInitialResultThenChangesAndResumes() throws Exception {
        assertThat(send("PUT", DB + "/collections/items", "{}").statusCode()).isEqualTo(201);
        send("PUT", DB + "/collections/items/documents/a", "{\"colour\":\"red\",\"n\":1}");
        send("PUT", DB + "/collections/items/documents/b", "{\"colour\":\"blue\",\"n\":1}");
        Socket s = Socket.open(null);
        s.send("{\"type\":\"subscribe\",\"id\":\"one\",\"collection\":\"items\",\"doc\":\"a\"}");
        JsonNode one = s.next();
        assertThat(one.path("type").asText()).as(one.toString()).isEqualTo("subscribed");
        assertThat(one.at("/documents/0/data/n").asInt()).isEqualTo(1);
        s.send("{\"type\":\"subscribe\",\"id\":\"reds\",\"collection\":\"items\",\"query\":"
                + "{\"where\":{\"field\":\"colour\",\"op\":\"==\",\"value\":\"red\"}}}");
        JsonNode reds = s.next();
        assertThat(reds.path("documents")).hasSize(1);

        send("PATCH", DB + "/collections/items/documents/b", "{\"n\":2}"); // neither subscription's
        send("PATCH", DB + "/collections/items/documents/a", "{\"n\":2}"); // both
        send("PUT", DB + "/collections/items/documents/c", "{\"colour\":\"red\"}"); // the query's
        Map<String, List<Long>> seen = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            JsonNode m = s.next();
            assertThat(m.path("type").asText()).as(m.toString()).isEqualTo("change");
            seen.computeIfAbsent(m.path("id").asText(), k -> new ArrayList<>()).add(m.path("seq").asLong());
        }
        assertThat(seen).containsOnlyKeys("one", "reds");
        assertThat(seen.get("one")).containsExactly(4L);
        assertThat(seen.get("reds")).containsExactly(4L, 5L);

        // a bad subscription is an error message naming it; the socket stays
        s.send("{\"type\":\"subscribe\",\"id\":\"bad\",\"collection\":\"items\",\"query\":"
                + "{\"where\":{\"field\":\"n\",\"op\":\"~\",\"value\":1}}}");
        JsonNode bad = s.next();
        assertThat(bad.path("type").asText()).isEqualTo("error");
        assertThat(bad.path("id").asText()).isEqualTo("bad");
        assertThat(bad.path("error").asText()).isEqualTo("InvalidOperator");
        s.send("{\"type\":\"subscribe\",\"id\":\"gone\",\"collection\":\"nothing\"}");
        assertThat(s.next().path("error").asText()).isEqualTo("CollectionNotFound");
        s.close();

        // resuming after seq 4: the query's change 5 only, no initial result
        Socket again = Socket.open(null);
        again.send("{\"type\":\"subscribe\",\"id\":\"reds\",\"collection\":\"items\",\"after\":4,\"query\":"
                + "{\"where\":{\"field\":\"colour\",\"op\":\"==\",\"value\":\"red\"}}}");
        JsonNode resumed = again.next();
        assertThat(resumed.has("documents")).isFalse();
        JsonNode change = again.next();
        assertThat(change.path("seq").asLong()).isEqualTo(5L);
        assertThat(change.at("/data/after/id").asText()).isEqualTo("c");
        // an id the log never had: resync to the head
        again.send("{\"type\":\"subscribe\",\"id\":\"future\",\"collection\":\"items\",\"after\":99}");
        assertThat(again.next().path("type").asText()).isEqualTo("subscribed");
        JsonNode resync = again.next();
        assertThat(resync.path("type").asText()).isEqualTo("resync");
        assertThat(resync.path("seq").asLong()).isEqualTo(5L);
        again.close();

        // a browser cannot set headers: its credential rides in a subprotocol next to the protocol
        Socket browser = new Socket();
        browser.ws = http.newWebSocketBuilder().subprotocols("cumulus.realtime.v1", "cumulus.bearer." + node.platform.rootToken())
                .buildAsync(URI.create(node.url(DB + "/realtime").toString().replaceFirst("^http", "ws")), browser).join();
        assertThat(browser.ws.getSubprotocol()).isEqualTo("cumulus.realtime.v1");
        browser.send("{\"type\":\"subscribe\",\"id\":\"one\",\"collection\":\"items\",\"doc\":\"a\"}");
        assertThat(browser.next().path("type").asText()).isEqualTo("subscribed");
        browser.close();
        assertThat(http.newWebSocketBuilder().subprotocols("cumulus.realtime.v1", "cumulus.bearer.wrong")
                .buildAsync(URI.create(node.url(DB + "/realtime").toString().replaceFirst("^http", "ws")), new Socket())
                .handle((ws, failure) -> failure).join()).hasCauseInstanceOf(java.net.http.WebSocketHandshakeException.class);

        // a plain GET is told to upgrade
        assertThat(send("GET", DB + "/realtime", null).statusCode()).isEqualTo(426);
    }

    /** One watcher: what it received, per document in arrival order, and its last event id. */
    static final class Watcher {
        final String name;
        final String user; // null: an IAM principal, sees everything
        final String token;
        final boolean webSocket;
        final Map<String, List<Long>> versions = new ConcurrentHashMap<>();
        final List<String> problems = new CopyOnWriteArrayList<>();
        volatile long lastSeq;
        volatile int count;
        volatile Socket socket;
        volatile InputStream sse;
        final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);

        Watcher(String name, String user, String token, boolean webSocket) {
            this.name = name;
            this.user = user;
            this.token = token;
            this.webSocket = webSocket;
        }

        void take(long seq, JsonNode event) {
            if (seq <= lastSeq) {
                problems.add(name + ": seq " + seq + " after " + lastSeq);
            }
            lastSeq = seq;
            JsonNode image = event.get("after").isNull() ? event.get("before") : event.get("after");
            if (user != null && !user.equals(image.at("/data/owner").asText())) {
                problems.add(name + " saw " + image.path("id").asText() + " of " + image.at("/data/owner").asText());
            }
            versions.computeIfAbsent(event.path("id").asText(), k -> new CopyOnWriteArrayList<>())
                    .add(image.path("version").asLong());
            count++;
        }

        /** Connects (again), from {@code lastSeq} when it has one; returns when subscribed. */
        void connect(boolean resume) throws Exception {
            if (webSocket) {
                Socket s = Socket.open(token);
                s.send("{\"type\":\"subscribe\",\"id\":\"w\",\"collection\":\"orders\"" + (resume ? ",\"after\":" + lastSeq : "")
                        + ",\"query\":{\"where\":{\"field\":\"owner\",\"op\":\"" + (user == null ? "!=\",\"value\":\"\"" : "==\",\"value\":\"" + user + "\"")
                        + "}}}");
                JsonNode subscribed = s.next();
                if (!subscribed.path("type").asText().equals("subscribed")) {
                    throw new AssertionError(name + ": " + subscribed);
                }
                if (!resume) {
                    lastSeq = subscribed.path("position").asLong();
                }
                socket = s;
                Thread.ofVirtual().start(() -> {
                    try {
                        while (socket == s) {
                            JsonNode m = s.messages.poll(1, TimeUnit.SECONDS);
                            if (m == null) {
                                continue;
                            }
                            if (!m.path("type").asText().equals("change")) {
                                problems.add(name + ": " + m);
                                continue;
                            }
                            take(m.path("seq").asLong(), m.get("data"));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            } else {
                HttpRequest.Builder request = HttpRequest.newBuilder(node.url(DB + "/collections/orders/changes"))
                        .header("Authorization", "Bearer " + node.platform.rootToken());
                if (token != null) {
                    request.header("X-Cumulus-On-Behalf-Of", "Bearer " + token);
                }
                if (resume) {
                    request.header("Last-Event-ID", Long.toString(lastSeq));
                }
                HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                assertThat(response.statusCode()).isEqualTo(200);
                InputStream in = response.body();
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                String first = reader.readLine(); // ": stream of orders after N"
                if (!resume) {
                    lastSeq = Long.parseLong(first.substring(first.lastIndexOf(' ') + 1));
                }
                sse = in;
                Thread.ofVirtual().start(() -> {
                    long id = -1;
                    String type = null;
                    try {
                        for (String line; (line = reader.readLine()) != null; ) {
                            if (line.startsWith("id: ")) {
                                id = Long.parseLong(line.substring(4));
                            } else if (line.startsWith("event: ")) {
                                type = line.substring(7);
                            } else if (line.startsWith("data: ")) {
                                if (!type.startsWith("document.")) {
                                    problems.add(name + ": " + type + " " + line);
                                } else {
                                    take(id, parse(line.substring(6)));
                                }
                            }
                        }
                    } catch (Exception closed) {
                        // the test dropped it
                    }
                });
            }
            ready.countDown();
        }

        void drop() throws Exception {
            if (webSocket) {
                Socket s = socket;
                socket = null;
                s.ws.abort();
            } else {
                sse.close();
            }
        }
    }

    @Test
    void fiftyClientsWatchAThousandWritesAndEachGetsExactlyWhatItsRulesAllowInOrder() throws Exception {
        HttpResponse<String> created = send("PUT", DB + "/collections/orders",
                "{\"rules\":{\"read\":\"" + OWNER_RULE + "\",\"list\":\"" + OWNER_RULE + "\"}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        int users = 5;
        List<String> uids = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            JsonNode session = endUser();
            uids.add(session.get("userId").asText());
            tokens.add(session.get("accessToken").asText());
        }
        List<Watcher> watchers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            boolean admin = i % 10 == 9;
            watchers.add(new Watcher("w" + i + (i % 2 == 0 ? "-ws" : "-sse") + (admin ? "-admin" : "-u" + i % users),
                    admin ? null : uids.get(i % users), admin ? null : tokens.get(i % users), i % 2 == 0));
        }
        for (Watcher w : watchers) {
            w.connect(false);
        }

        // 100 orders, then 900 updates of random ones: 1,000 writes, owners fixed per order
        Random random = new Random(16);
        Map<String, String> ownerOf = new HashMap<>();
        Map<String, Long> versionOf = new HashMap<>();
        Watcher droppedWs = watchers.get(2);
        Watcher droppedSse = watchers.get(3);
        for (int i = 0; i < 1000; i++) {
            if (i == 400) {
                droppedWs.drop();
                droppedSse.drop();
            }
            if (i == 600) {
                droppedWs.connect(true);
                droppedSse.connect(true);
            }
            HttpResponse<String> r;
            if (i < 100) {
                String id = "o" + i;
                String owner = uids.get(i % users);
                r = send("PUT", DB + "/collections/orders/documents/" + id, "{\"owner\":\"" + owner + "\",\"n\":0}");
                ownerOf.put(id, owner);
                versionOf.put(id, 1L);
            } else {
                String id = "o" + random.nextInt(100);
                r = send("PATCH", DB + "/collections/orders/documents/" + id, "{\"n\":" + i + "}");
                versionOf.merge(id, 1L, Long::sum);
            }
            assertThat(r.statusCode()).as(r.body()).isBetween(200, 201);
        }

        for (Watcher w : watchers) {
            Map<String, List<Long>> expected = new HashMap<>();
            ownerOf.forEach((id, owner) -> {
                if (w.user == null || w.user.equals(owner)) {
                    List<Long> all = new ArrayList<>();
                    for (long v = 1; v <= versionOf.get(id); v++) {
                        all.add(v);
                    }
                    expected.put(id, all);
                }
            });
            int total = expected.values().stream().mapToInt(List::size).sum();
            await().atMost(Duration.ofMinutes(3)).until(() -> w.count >= total || !w.problems.isEmpty());
            assertThat(w.problems).as(w.name).isEmpty();
            // exactly the allowed events, each document's versions in order, none missed across the drop
            assertThat(w.versions).as(w.name).isEqualTo(expected);
        }
        for (Watcher w : watchers) {
            if (w.webSocket) {
                Socket s = w.socket;
                w.socket = null;
                s.close();
            } else {
                w.sse.close();
            }
        }
    }
}
