package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event source mappings against the real brokers (Mosquitto, NATS with JetStream, RabbitMQ on
 * their default loopback ports). The node reaches each broker through a {@link TcpRelay} the test
 * severs and re-opens, so the shared brokers keep running. Every run uses fresh topic, stream and
 * queue names.
 */
class EventSourcesTest {
    private static final int MESSAGES_PER_KEY = 250;
    private static final Duration PROCESSING = Duration.ofSeconds(120);

    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c);
        // slow and alone: one instance, 30 ms a batch, so the cut lands mid-stream and log order is run order
        for (String name : List.of("rec-mqtt", "rec-nats", "rec-amqp", "rec-fail")) {
            node.deploy(name, "dev.cumulus.testfn.Records",
                    Map.of("maxInstances", 1, "environment", Map.of("RECORDS_SLEEP_MS", "30")));
        }
        node.deploy("dlq", "dev.cumulus.testfn.PrintEvent", Map.of("maxInstances", 1));
        node.deploy("ce-log", "dev.cumulus.testfn.CloudEventLog", Map.of("maxInstances", 1));
    }

    @AfterAll
    static void stop() {
        if (node != null) node.close();
    }

    @Test
    void mqttMessagesAllArriveInOrderPerTopicAcrossACutConnection() throws Exception {
        String run = run();
        String prefix = "cumulus-it/" + run;
        Mqtt5BlockingClient publisher = mqttPublisher();
        try (TcpRelay relay = TcpRelay.to(1883).open()) {
            String name = "mqtt-" + run;
            create(source(name, "mqtt", "mqtt://127.0.0.1:" + relay.port(), "topic", prefix + "/+", "rec-mqtt"));
            awaitState(name, "connected");

            throughACut(relay, name, "rec-mqtt", "cumulus:mqtt", prefix + "/", i -> {
                for (String key : List.of("a", "b")) {
                    publish(publisher, prefix + "/" + key, i);
                }
            });
        } finally {
            publisher.disconnect();
        }
    }

    @Test
    void jetStreamMessagesAllArriveInOrderPerSubjectAcrossACutConnection() throws Exception {
        String run = run();
        String stream = "CUMULUS_IT_" + run;
        String prefix = "cumulus-it." + run;
        try (var nats = Nats.connect("nats://127.0.0.1:4222"); TcpRelay relay = TcpRelay.to(4222).open()) {
            JetStreamManagement jsm = nats.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name(stream).subjects(prefix + ".>")
                    .storageType(StorageType.Memory).build());
            try {
                JetStream js = nats.jetStream();
                String name = "nats-" + run;
                create(source(name, "nats", "nats://127.0.0.1:" + relay.port(), "stream", stream, "rec-nats"));
                awaitState(name, "connected");

                throughACut(relay, name, "rec-nats", "cumulus:nats", prefix + ".", i -> {
                    for (String key : List.of("a", "b")) {
                        try {
                            js.publish(prefix + "." + key, Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
            } finally {
                jsm.deleteStream(stream);
            }
        }
    }

    @Test
    void amqpMessagesAllArriveInOrderAcrossACutConnection() throws Exception {
        String run = run();
        String queue = "cumulus-it-" + run;
        try (var amqp = rabbit().newConnection(); TcpRelay relay = TcpRelay.to(5672).open()) {
            Channel channel = amqp.createChannel();
            channel.queueDeclare(queue, true, false, false, null);
            try {
                String name = "amqp-" + run;
                create(source(name, "amqp", "amqp://guest:guest@127.0.0.1:" + relay.port(), "queue", queue, "rec-amqp"));
                awaitState(name, "connected");

                // one queue is one key: the bodies carry a/b so the order check reads the same as for topics
                throughACut(relay, name, "rec-amqp", "cumulus:amqp", queue, i -> {
                    for (String key : List.of("a", "b")) {
                        try {
                            channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN,
                                    (key + ":" + i).getBytes(StandardCharsets.UTF_8));
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
            } finally {
                channel.queueDelete(queue);
            }
        }
    }

    /**
     * Publishes half the messages, cuts the node's connection once some are processed, publishes
     * the other half while it is cut, restores it, and checks that every message arrived, none
     * overtook an earlier one of its key (redelivered copies may repeat), and the counters agree.
     */
    private void throughACut(TcpRelay relay, String name, String function, String eventSource, String keyPrefix,
            IntConsumer publishPair) {
        for (int i = 0; i < MESSAGES_PER_KEY / 2; i++) {
            publishPair.accept(i);
        }
        await().atMost(PROCESSING).until(() -> distinct(records(function, eventSource, keyPrefix)) >= 40);
        relay.sever();
        awaitState(name, "disconnected");
        assertThat(get(name).path("status").path("lastError").asText()).isNotEmpty();
        for (int i = MESSAGES_PER_KEY / 2; i < MESSAGES_PER_KEY; i++) {
            publishPair.accept(i);
        }
        relay.open();
        awaitState(name, "connected");
        await().atMost(PROCESSING).until(() -> distinct(records(function, eventSource, keyPrefix)) == 2 * MESSAGES_PER_KEY);

        List<String[]> records = records(function, eventSource, keyPrefix);
        Map<String, List<Integer>> perKey = new LinkedHashMap<>();
        for (String[] record : records) {
            String key = record[0];
            String body = record[1];
            if (body.contains(":")) { // amqp: one queue, the key travels in the body
                key = body.substring(0, body.indexOf(':'));
                body = body.substring(body.indexOf(':') + 1);
            } else {
                key = key.substring(key.length() - 1);
            }
            perKey.computeIfAbsent(key, k -> new ArrayList<>()).add(Integer.parseInt(body));
        }
        assertThat(perKey).containsOnlyKeys("a", "b");
        perKey.forEach((key, sequence) -> assertInOrder(key, sequence));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode status = get(name).path("status");
            assertThat(status.path("processed").asLong()).isGreaterThanOrEqualTo(2 * MESSAGES_PER_KEY);
            assertThat(status.path("failed").asLong()).isZero();
            assertThat(status.path("inFlight").asInt()).isZero();
        });
        delete(name);
    }

    /** Every number arrives, and a new one is never more than one past the highest seen so far. */
    private static void assertInOrder(String key, List<Integer> sequence) {
        assertInOrder(key, sequence, MESSAGES_PER_KEY);
    }

    private static void assertInOrder(String key, List<Integer> sequence, int count) {
        int highest = -1;
        for (int i = 0; i < sequence.size(); i++) {
            int n = sequence.get(i);
            assertThat(n).as("message %d of key %s arrived after only %d (position %d of %s)", n, key, highest, i,
                    sequence).isLessThanOrEqualTo(highest + 1);
            highest = Math.max(highest, n);
        }
        assertThat(new TreeSet<>(sequence)).hasSize(count).first().isEqualTo(0);
    }

    @Test
    void mappingsStopWithTheNodeAndResumeWhenItStartsAgain(@TempDir Path restartDir) throws Exception {
        String run = run();
        String prefix = "cumulus-it/" + run;
        String name = "restart-" + run;
        Mqtt5BlockingClient publisher = mqttPublisher();
        IntConsumer publish = i -> publish(publisher, prefix + "/a", i);
        List<Integer> seen = new ArrayList<>();
        try (TcpRelay relay = TcpRelay.to(1883).open()) {
            try (TestNode first = new TestNode(restartDir, c -> c)) {
                first.deploy("rec-restart", "dev.cumulus.testfn.Records",
                        Map.of("maxInstances", 1, "environment", Map.of("RECORDS_SLEEP_MS", "30")));
                HttpResponse<String> created = first.send("POST", "/v1/sources", TestNode.write(
                        source(name, "mqtt", "mqtt://127.0.0.1:" + relay.port(), "topic", prefix + "/+", "rec-restart")));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                await().atMost(Duration.ofSeconds(60)).until(() -> TestNode.json(first.send("GET", "/v1/sources/" + name,
                        null)).path("status").path("state").asText().equals("connected"));
                for (int i = 0; i < 100; i++) publish.accept(i);
                await().atMost(PROCESSING).until(() -> distinct(records(first, "rec-restart", "cumulus:mqtt", prefix)) >= 20);
                // cut the broker off, let the running batches finish, then read what this node did
                relay.sever();
                await().atMost(PROCESSING).until(() -> TestNode.json(first.send("GET", "/v1/sources/" + name, null))
                        .path("status").path("inFlight").asInt() == 0);
                for (String[] r : records(first, "rec-restart", "cumulus:mqtt", prefix)) seen.add(Integer.parseInt(r[1]));
            }
            for (int i = 100; i < 200; i++) publish.accept(i);
            relay.open();
            try (TestNode second = new TestNode(restartDir, c -> c)) {
                await().atMost(PROCESSING).until(() -> {
                    Set<Integer> all = new TreeSet<>(seen);
                    for (String[] r : records(second, "rec-restart", "cumulus:mqtt", prefix)) all.add(Integer.parseInt(r[1]));
                    return all.size() == 200;
                });
                List<Integer> sequence = new ArrayList<>(seen);
                for (String[] r : records(second, "rec-restart", "cumulus:mqtt", prefix)) sequence.add(Integer.parseInt(r[1]));
                assertInOrder("a", sequence, 200);
                assertThat(second.send("DELETE", "/v1/sources/" + name, null).statusCode()).isEqualTo(204);
            }
        } finally {
            publisher.disconnect();
        }
    }

    @Test
    void aMappingToAnUnreachableBrokerIsCreatedReportedAndConnectsOnceItIsUp() throws Exception {
        String run = run();
        String prefix = "cumulus-it/" + run;
        try (TcpRelay relay = TcpRelay.to(1883)) {
            String name = "late-" + run;
            HttpResponse<String> created = node.send("POST", "/v1/sources",
                    TestNode.write(source(name, "mqtt", "mqtt://127.0.0.1:" + relay.port(), "topic", prefix + "/#", "rec-mqtt")));
            assertThat(created.statusCode()).isEqualTo(201);

            awaitState(name, "disconnected");
            JsonNode status = get(name).path("status");
            assertThat(status.path("lastError").asText()).containsIgnoringCase("refused");
            assertThat(status.path("lastErrorAt").asText()).isNotEmpty();
            assertThat(listed(name).path("status").path("state").asText()).isIn("disconnected", "connecting");

            relay.open();
            awaitState(name, "connected");
            Mqtt5BlockingClient publisher = mqttPublisher();
            publish(publisher, prefix + "/x", 7);
            publisher.disconnect();
            await().atMost(PROCESSING).until(() -> distinct(records("rec-mqtt", "cumulus:mqtt", prefix + "/")) == 1);
            delete(name);
        }
    }

    @Test
    void failingBatchesGoToTheOnFailureFunctionWithTheReasonAndAreThenAcked() throws Exception {
        String run = run();
        String queue = "cumulus-it-" + run;
        try (var amqp = rabbit().newConnection()) {
            Channel channel = amqp.createChannel();
            channel.queueDeclare(queue, true, false, false, null);
            try {
                String name = "fail-" + run;
                Map<String, Object> body = source(name, "amqp", "amqp://guest:guest@127.0.0.1:5672", "queue", queue,
                        "rec-fail");
                body.put("batchSize", 1);
                body.put("maxRetries", 2);
                body.put("onFailure", "function:dlq");
                create(body);
                awaitState(name, "connected");
                channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, "fail-1".getBytes());
                channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, "2".getBytes());

                await().atMost(PROCESSING).until(() -> failureEvents(queue).size() == 1);
                JsonNode failure = failureEvents(queue).getFirst();
                assertThat(failure.path("requestContext").path("condition").asText()).isEqualTo("RetryAttemptsExhausted");
                assertThat(failure.path("requestContext").path("approximateInvokeCount").asInt()).isEqualTo(3);
                assertThat(failure.path("reason").path("errorMessage").asText()).isEqualTo("refusing fail-1");
                assertThat(failure.path("source").path("mapping").asText()).isEqualTo(name);
                JsonNode record = failure.path("batch").path("Records").get(0);
                assertThat(record.path("body").asText()).isEqualTo("fail-1");
                assertThat(record.path("eventSource").asText()).isEqualTo("cumulus:amqp");
                await().atMost(PROCESSING).until(() -> distinct(records("rec-fail", "cumulus:amqp", queue)) == 1);

                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    JsonNode status = get(name).path("status");
                    assertThat(status.path("failed").asLong()).isEqualTo(1);
                    assertThat(status.path("processed").asLong()).isEqualTo(1);
                    assertThat(status.path("retries").asLong()).isEqualTo(2);
                    assertThat(status.path("inFlight").asInt()).isZero();
                    assertThat(status.path("lastError").asText()).contains("refusing fail-1");
                });
                // deleting closes the connection: anything unacknowledged would go back to the queue
                delete(name);
                assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isZero();
            } finally {
                channel.queueDelete(queue);
            }
        }
    }

    @Test
    void aQueueBacklogIsReportedAsLagUntilItIsWorkedOff() throws Exception {
        String run = run();
        String queue = "cumulus-lag-" + run;
        try (var amqp = rabbit().newConnection()) {
            Channel channel = amqp.createChannel();
            channel.queueDeclare(queue, true, false, false, null);
            try {
                // the backlog is there before the mapping: 200 messages, worked off one 30 ms batch at a time
                for (int i = 0; i < 200; i++) {
                    channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN,
                            (queue + "-" + i).getBytes(StandardCharsets.UTF_8));
                }
                String name = "lag-" + run;
                Map<String, Object> body = source(name, "amqp", "amqp://guest:guest@127.0.0.1:5672", "queue", queue,
                        "rec-amqp");
                body.put("batchSize", 1);
                create(body);
                await().atMost(PROCESSING).until(() -> get(name).path("status").path("lag").asLong() > 0);
                await().atMost(PROCESSING).until(() -> distinct(records("rec-amqp", "cumulus:amqp", queue)) == 200);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(get(name).path("status").path("lag").asLong()).isZero());
                delete(name);
            } finally {
                channel.queueDelete(queue);
            }
        }
    }

    @Test
    void aBatchReachesTheFunctionAsACloudEventFromItsMapping() throws Exception {
        String run = run();
        String queue = "cumulus-ce-" + run;
        try (var amqp = rabbit().newConnection()) {
            Channel channel = amqp.createChannel();
            channel.queueDeclare(queue, true, false, false, null);
            try {
                String name = "ce-" + run;
                create(source(name, "amqp", "amqp://guest:guest@127.0.0.1:5672", "queue", queue, "ce-log"));
                awaitState(name, "connected");
                channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN,
                        ("hello-" + run).getBytes(StandardCharsets.UTF_8));
                // CloudEventLog prints "ce <id>|<type>|<source>|<subject>|<event>"
                await().atMost(PROCESSING).until(() -> logLines("ce-log").stream().anyMatch(l -> l.contains("hello-" + run)));
                String line = logLines("ce-log").stream().filter(l -> l.contains("hello-" + run)).findFirst().orElseThrow();
                String[] parts = line.substring(line.indexOf("ce ") + 3).split("\\|", 5);
                assertThat(parts[0]).isNotBlank().isNotEqualTo("none");
                assertThat(parts[1]).isEqualTo("dev.cumulus.source.batch");
                assertThat(parts[2]).isEqualTo("/v1/sources/" + name);
                assertThat(parts[3]).isEqualTo(queue);
                assertThat(parts[4]).contains("\"Records\"").contains("cumulus:amqp");
                delete(name);
            } finally {
                channel.queueDelete(queue);
            }
        }
    }

    @Test
    void mappingsAreEachProjectsOwnAndOnlyRootConnectsATenantToABroker() throws Exception {
        String run = run();
        String queue = "cumulus-tenant-" + run;
        String tenant = "tenant-" + run;
        String name = "orders-" + run;
        assertThat(node.send("POST", "/v1/projects", "{\"name\":\"" + tenant + "\"}").statusCode()).isEqualTo(201);
        assertThat(node.send("PUT", "/v1/projects/" + tenant + "/functions/ce-log", TestNode.write(Map.of("handler",
                "dev.cumulus.testfn.CloudEventLog", "codeSha256", node.testFunctionsCode()))).statusCode()).isBetween(200, 299);
        String admin = TestNode.json(node.send("POST", "/v1/api-keys", "{\"project\":\"" + tenant + "\",\"admin\":true}"))
                .get("token").asText();
        Map<String, Object> body = source(name, "amqp", "amqp://guest:guest@127.0.0.1:5672", "queue", queue, "ce-log");
        try (var amqp = rabbit().newConnection()) {
            Channel channel = amqp.createChannel();
            channel.queueDeclare(queue, true, false, false, null);
            try {
                // the tenant's own admin may not make the node subscribe to a broker: root grants that
                HttpResponse<String> refused = node.send("POST", "/v1/sources", TestNode.write(body), admin);
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
                assertThat(node.send("GET", "/v1/sources", null, admin).body()).doesNotContain(name);
                assertThat(node.send("GET", "/v1/projects/" + tenant + "/audit?outcome=deny", null).body())
                        .contains("sources:ConnectBroker");

                HttpResponse<String> made = node.send("POST", "/v1/projects/" + tenant + "/sources", TestNode.write(body));
                assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
                assertThat(TestNode.json(made).path("eventSourceARN").asText()).isEqualTo("cumulus:amqp:" + tenant + "/" + name);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> TestNode.json(
                        node.send("GET", "/v1/sources/" + name, null, admin)).path("status").path("state").asText()
                        .equals("connected"));
                // the default project has no such mapping, and a mapping names functions of its own project
                assertThat(node.send("GET", "/v1/sources/" + name, null).statusCode()).isEqualTo(404);
                assertThat(listedNames()).doesNotContain(name);
                HttpResponse<String> foreign = node.send("POST", "/v1/projects/" + tenant + "/sources",
                        TestNode.write(with(with(body, "name", name + "-b"), "function", "rec-mqtt")));
                assertThat(foreign.statusCode()).as(foreign.body()).isBetween(400, 404);

                channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN,
                        ("tenant-" + run).getBytes(StandardCharsets.UTF_8));
                await().atMost(PROCESSING).until(() -> tenantLogs(tenant, "ce-log").stream()
                        .anyMatch(l -> l.contains("tenant-" + run)));
                assertThat(logLines("ce-log")).noneMatch(l -> l.contains("tenant-" + run));

                // the tenant's admin runs its own mapping from then on
                HttpResponse<String> off = node.send("POST", "/v1/sources/" + name + "/disable", null, admin);
                assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
                assertThat(node.send("DELETE", "/v1/sources/" + name, null, admin).statusCode()).isEqualTo(204);
                assertThat(node.send("GET", "/v1/sources", null, admin).body()).doesNotContain(name);
            } finally {
                channel.queueDelete(queue);
            }
        }
    }

    private static List<String> listedNames() {
        List<String> names = new ArrayList<>();
        TestNode.json(node.send("GET", "/v1/sources", null)).path("sources").forEach(s -> names.add(s.path("name").asText()));
        return names;
    }

    private static List<String> tenantLogs(String project, String function) {
        HttpResponse<String> response = node.send("GET",
                "/v1/projects/" + project + "/functions/" + function + "/logs?limit=10000", null);
        assertThat(response.statusCode()).isEqualTo(200);
        return List.of(response.body().split("\n"));
    }

    @Test
    void badInputGetsClear400s() {
        Map<String, Object> good = source("bad-" + run(), "mqtt", "mqtt://127.0.0.1:1883", "topic", "t/+", "rec-mqtt");
        assertRefused(with(good, "type", "kafka"), "InvalidType", "mqtt, nats, amqp");
        assertRefused(with(good, "url", "http://127.0.0.1:1883"), "InvalidUrl", "mqtt://");
        assertRefused(with(good, "url", "mqtt://"), "InvalidUrl", "");
        assertRefused(with(good, "topic", null), "MissingTopic", "topic");
        assertRefused(with(good, "topic", "a/#/b"), "InvalidTopic", "#");
        assertRefused(with(good, "queue", "q"), "InvalidTarget", "topic");
        assertRefused(with(good, "function", "nope"), "FunctionNotFound", "nope");
        assertRefused(with(good, "batchSize", 0), "InvalidParameter", "batchSize");
        assertRefused(with(good, "batchSize", 101), "InvalidParameter", "1 to 100");
        assertRefused(with(good, "batchWindowMs", 5001), "InvalidParameter", "batchWindowMs");
        assertRefused(with(good, "ordered", "yes"), "InvalidParameter", "ordered");
        assertRefused(with(good, "onFailure", "queue:x"), "InvalidOnFailure", "function:NAME");
        assertRefused(with(good, "onFailure", "function:nope"), "FunctionNotFound", "nope");
        assertRefused(with(good, "onFailure", "topic:no-such-topic"), "TopicNotFound", "no-such-topic");
        assertRefused(with(good, "name", "has space"), "InvalidName", "name");
        assertRefused(with(good, "colour", "red"), "UnknownField", "colour");
        Map<String, Object> nats = source("n", "nats", "nats://127.0.0.1:4222", "subject", "a..b", "rec-nats");
        assertRefused(nats, "InvalidSubject", "a..b");
        assertRefused(with(nats, "subject", null), "MissingStream", "stream");
        assertRefused(source("q", "amqp", "amqp://127.0.0.1", "topic", "x", "rec-amqp"), "InvalidTarget", "queue");

        HttpResponse<String> notJson = node.send("POST", "/v1/sources", "{nope");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(TestNode.json(notJson).path("error").asText()).isEqualTo("MalformedJson");
        assertThat(node.send("GET", "/v1/sources/none", null).statusCode()).isEqualTo(404);
        assertThat(node.send("DELETE", "/v1/sources/none", null).statusCode()).isEqualTo(404);
        assertThat(node.send("POST", "/v1/sources", TestNode.write(good), "wrong-token").statusCode()).isEqualTo(401);
        assertThat(node.send("GET", "/v1/sources/" + good.get("name"), null).statusCode()).isEqualTo(404);
    }

    @Test
    void mappingsAreListedAndCanBeDisabledEnabledAndRemoved() {
        String name = "life-" + run();
        create(source(name, "mqtt", "mqtt://127.0.0.1:1883", "topic", "cumulus-it/" + name + "/+", "rec-mqtt"));
        awaitState(name, "connected");
        HttpResponse<String> duplicate = node.send("POST", "/v1/sources",
                TestNode.write(source(name, "mqtt", "mqtt://127.0.0.1:1883", "topic", "x", "rec-mqtt")));
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(listed(name).path("function").asText()).isEqualTo("rec-mqtt");

        JsonNode disabled = TestNode.json(node.send("POST", "/v1/sources/" + name + "/disable", null));
        assertThat(disabled.path("enabled").asBoolean()).isFalse();
        assertThat(disabled.path("status").path("state").asText()).isEqualTo("disabled");
        JsonNode enabled = TestNode.json(node.send("POST", "/v1/sources/" + name + "/enable", null));
        assertThat(enabled.path("enabled").asBoolean()).isTrue();
        awaitState(name, "connected");
        delete(name);
        assertThat(node.send("GET", "/v1/sources/" + name, null).statusCode()).isEqualTo(404);
    }

    private static void assertRefused(Map<String, Object> body, String code, String messagePart) {
        HttpResponse<String> response = node.send("POST", "/v1/sources", TestNode.write(body));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode error = TestNode.json(response);
        assertThat(error.path("error").asText()).as(response.body()).isEqualTo(code);
        assertThat(error.path("message").asText()).as(response.body()).contains(messagePart);
    }

    private static Map<String, Object> with(Map<String, Object> body, String field, Object value) {
        Map<String, Object> copy = new HashMap<>(body);
        if (value == null) copy.remove(field);
        else copy.put(field, value);
        return copy;
    }

    private static Map<String, Object> source(String name, String type, String url, String targetField, String target,
            String function) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("type", type);
        body.put("url", url);
        body.put(targetField, target);
        body.put("function", function);
        body.put("batchSize", 5);
        body.put("batchWindowMs", 20);
        body.put("ordered", true);
        return body;
    }

    private static void create(Map<String, Object> body) {
        HttpResponse<String> response = node.send("POST", "/v1/sources", TestNode.write(body));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private static void delete(String name) {
        assertThat(node.send("DELETE", "/v1/sources/" + name, null).statusCode()).isEqualTo(204);
    }

    private static JsonNode get(String name) {
        HttpResponse<String> response = node.send("GET", "/v1/sources/" + name, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestNode.json(response);
    }

    private static JsonNode listed(String name) {
        for (JsonNode source : TestNode.json(node.send("GET", "/v1/sources", null)).path("sources")) {
            if (source.path("name").asText().equals(name)) return source;
        }
        throw new AssertionError("source " + name + " is not listed");
    }

    private static void awaitState(String name, String state) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> get(name).path("status").path("state").asText().equals(state));
    }

    /** {@code [key, body]} of every record the function printed for keys starting with {@code keyPrefix}, in order. */
    private static List<String[]> records(String function, String eventSource, String keyPrefix) {
        return records(node, function, eventSource, keyPrefix);
    }

    private static List<String[]> records(TestNode on, String function, String eventSource, String keyPrefix) {
        List<String[]> records = new ArrayList<>();
        for (String line : logLines(on, function)) {
            String[] parts = line.split(" ", 4);
            if (parts.length == 4 && parts[0].equals("record") && parts[1].equals(eventSource)
                    && parts[2].startsWith(keyPrefix)) {
                records.add(new String[] {parts[2], parts[3]});
            }
        }
        return records;
    }

    private static int distinct(List<String[]> records) {
        Set<String> seen = new java.util.HashSet<>();
        for (String[] r : records) seen.add(r[0] + " " + r[1]);
        return seen.size();
    }

    private static List<JsonNode> failureEvents(String queue) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : logLines("dlq")) {
            if (line.startsWith("event ") && line.contains(queue)) {
                try {
                    events.add(TestNode.JSON.readTree(line.substring("event ".length())));
                } catch (IOException e) {
                    throw new AssertionError("not JSON: " + line, e);
                }
            }
        }
        return events;
    }

    private static List<String> logLines(String function) {
        return logLines(node, function);
    }

    private static List<String> logLines(TestNode on, String function) {
        HttpResponse<String> response = on.send("GET", "/v1/functions/" + function + "/logs?limit=10000", null);
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> lines = new ArrayList<>();
        for (String json : response.body().split("\n")) {
            if (!json.isBlank()) {
                try {
                    lines.add(TestNode.JSON.readTree(json).path("line").asText());
                } catch (IOException e) {
                    throw new AssertionError("not an ndjson log line: " + json, e);
                }
            }
        }
        return lines;
    }

    /** A plain MQTT client straight to the broker (not through a relay). */
    private static Mqtt5BlockingClient mqttPublisher() {
        Mqtt5BlockingClient publisher = MqttClient.builder().useMqttVersion5().serverHost("127.0.0.1")
                .serverPort(1883).buildBlocking();
        publisher.connect();
        return publisher;
    }

    private static void publish(Mqtt5BlockingClient publisher, String topic, int n) {
        publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(Integer.toString(n).getBytes(StandardCharsets.UTF_8)).send();
    }

    private static ConnectionFactory rabbit() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri("amqp://guest:guest@127.0.0.1:5672");
        return factory;
    }

    private static String run() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
