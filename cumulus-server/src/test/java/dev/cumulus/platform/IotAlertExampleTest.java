package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.cumulus.async.AsyncDelivery;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code examples/iot-alert} pipeline end to end, with the example's own code package and the
 * real Mosquitto on 127.0.0.1:1883: MQTT readings -> event source mapping -> {@code iot-alert}
 * (publishes from inside the function) -> topic {@code alerts} -> subscription -> {@code notify}.
 */
class IotAlertExampleTest {
    private static final Path EXAMPLE = Path.of(System.getProperty("cumulus.example.iotalert.jar"));
    private static final Path EXAMPLE_DIR = Path.of("..", "examples", "iot-alert");
    private static final Duration PROCESSING = Duration.ofSeconds(120);

    @TempDir
    static Path dataDir;

    static TestNode node;
    static String code;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c.withAsync(AsyncDelivery.Settings.defaults().withBackoff(Duration.ofMillis(20))));
        code = node.upload(EXAMPLE);
        // as deploy.sh does: iot-alert publishes to alerts with its role's rights, and only there
        HttpResponse<String> role = node.send("POST", "/v1/roles", "{\"name\":\"iot-alert\",\"policy\":"
                + java.nio.file.Files.readString(EXAMPLE_DIR.resolve("publish-alerts-policy.json")) + "}");
        assertThat(role.statusCode()).as(role.body()).isEqualTo(201);
        node.deploy("iot-alert", "com.example.iot.IotAlert",
                Map.of("environment", Map.of("MIN_CELSIUS", "-10", "MAX_CELSIUS", "60"), "role", "iot-alert"), code);
        node.deploy("notify", "com.example.iot.Notify", Map.of(), code);
        assertThat(node.send("PUT", "/v1/topics/alerts", null).statusCode()).isEqualTo(201);
        HttpResponse<String> sub = node.send("POST", "/v1/topics/alerts/subscriptions",
                TestNode.write(Map.of("function", "notify")));
        assertThat(sub.statusCode()).as(sub.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void exactlyTheOutOfRangeReadingsReachNotify() {
        String prefix = "cumulus-it/" + run() + "/sensors";
        String source = "iot-" + run();
        createSource(source, prefix + "/+/temperature", null);
        Mqtt5BlockingClient sensors = mqtt();
        try {
            Map<String, Double> readings = new java.util.LinkedHashMap<>();
            readings.put("s1", 20.0);
            readings.put("s2", 71.5);
            readings.put("s3", -5.0);
            readings.put("s4", -12.25);
            readings.put("s5", 60.0);
            readings.put("s6", 60.5);
            readings.forEach((sensor, celsius) -> publish(sensors, prefix + "/" + sensor + "/temperature",
                    "{\"sensor\":\"" + sensor + "\",\"celsius\":" + celsius + "}"));

            // every reading handled by iot-alert: its publishes are in the outbox by then
            await().atMost(PROCESSING).until(() -> sourceStatus(source).path("processed").asLong() == readings.size());
            assertThat(sourceStatus(source).path("failed").asLong()).isZero();
            await().atMost(PROCESSING).until(() -> notifications().size() == 3);
            assertThat(notifications()).containsExactlyInAnyOrder(
                    "NOTIFY sensors/s2 {\"sensor\":\"s2\",\"celsius\":71.5,\"limit\":60.0,\"kind\":\"high\"}",
                    "NOTIFY sensors/s4 {\"sensor\":\"s4\",\"celsius\":-12.25,\"limit\":-10.0,\"kind\":\"low\"}",
                    "NOTIFY sensors/s6 {\"sensor\":\"s6\",\"celsius\":60.5,\"limit\":60.0,\"kind\":\"high\"}");
            JsonNode invocations = TestNode.json(node.send("GET", "/v1/functions/notify/invocations?limit=100", null))
                    .get("invocations");
            assertThat(invocations).hasSize(3);
            for (JsonNode invocation : invocations) {
                JsonNode event = TestNode.json(node.send("GET", "/v1/invocations/" + invocation.path("requestId").asText(),
                        null)).path("event");
                assertThat(event.path("source").asText()).isEqualTo("/functions/iot-alert");
                assertThat(event.path("type").asText()).isEqualTo("com.example.iot.alert");
            }
        } finally {
            sensors.disconnect();
            node.send("DELETE", "/v1/sources/" + source, null);
        }
    }

    @Test
    void aReadingThatKeepsFailingGoesToTheSourcesTopicDestination() {
        node.deploy("failure-log", "dev.cumulus.testfn.CloudEventLog", Map.of());
        assertThat(node.send("PUT", "/v1/topics/iot-failures", null).statusCode()).isEqualTo(201);
        assertThat(node.send("POST", "/v1/topics/iot-failures/subscriptions", TestNode.write(Map.of(
                "function", "failure-log", "filter", Map.of("type", "dev.cumulus.source.failure")))).statusCode())
                .isEqualTo(201);
        String prefix = "cumulus-it/" + run() + "/broken";
        String source = "iot-broken-" + run();
        createSource(source, prefix + "/+", "topic:iot-failures");
        Mqtt5BlockingClient sensors = mqtt();
        try {
            publish(sensors, prefix + "/s9", "not a reading");
            await().atMost(PROCESSING).until(() -> ceLines().size() == 1);
            String line = ceLines().getFirst();
            assertThat(line).contains("|dev.cumulus.source.failure|/v1/sources|");
            JsonNode record = parse(line.substring(line.lastIndexOf('|') + 1));
            assertThat(record.path("source").path("mapping").asText()).isEqualTo(source);
            assertThat(record.path("reason").path("errorMessage").asText()).contains("not a reading");
            assertThat(record.path("batch").path("Records").get(0).path("body").asText()).isEqualTo("not a reading");
        } finally {
            sensors.disconnect();
            node.send("DELETE", "/v1/sources/" + source, null);
        }
    }

    private static void createSource(String name, String topic, String onFailure) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("type", "mqtt");
        body.put("url", "mqtt://127.0.0.1:1883");
        body.put("topic", topic);
        body.put("function", "iot-alert");
        body.put("batchSize", 10);
        body.put("batchWindowMs", 50);
        body.put("maxRetries", 1);
        if (onFailure != null) {
            body.put("onFailure", onFailure);
        }
        HttpResponse<String> created = node.send("POST", "/v1/sources", TestNode.write(body));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> sourceStatus(name).path("state").asText().equals("connected"));
    }

    private static JsonNode sourceStatus(String name) {
        return TestNode.json(node.send("GET", "/v1/sources/" + name, null)).path("status");
    }

    private static Mqtt5BlockingClient mqtt() {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().serverHost("127.0.0.1").serverPort(1883)
                .buildBlocking();
        client.connect();
        return client;
    }

    private static void publish(Mqtt5BlockingClient client, String topic, String body) {
        client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(body.getBytes(StandardCharsets.UTF_8)).send();
    }

    private static List<String> notifications() {
        return TopicsTest.logLinesOf(node, "notify").stream().filter(l -> l.startsWith("NOTIFY ")).toList();
    }

    private static List<String> ceLines() {
        return TopicsTest.logLinesOf(node, "failure-log").stream().filter(l -> l.startsWith("ce ")).toList();
    }

    private static JsonNode parse(String json) {
        return TopicsTest.parse(json);
    }

    private static String run() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
