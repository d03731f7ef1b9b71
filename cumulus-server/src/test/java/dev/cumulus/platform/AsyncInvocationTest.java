package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.async.AsyncDelivery;
import dev.cumulus.invoke.AsyncInvoker;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Asynchronous invocation on a real node: durable acceptance, retries, dead letters, CloudEvents, bad input. */
class AsyncInvocationTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        // millisecond backoff keeps a thousand retried events fast; the rules are the same as with seconds
        node = new TestNode(dataDir, c -> c.withAsync(AsyncDelivery.Settings.defaults()
                .withBackoff(Duration.ofMillis(20)).withConcurrency(8)));
        node.deploy("sink", "dev.cumulus.testfn.Hello", Map.of());
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static HttpResponse<String> invokeAsync(String function, Object event, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.url("/v1/functions/" + function + "/invoke"))
                .header("Authorization", "Bearer " + node.platform.rootToken())
                .header("X-Cumulus-Invocation-Type", "Event")
                .POST(HttpRequest.BodyPublishers.ofString(event instanceof String s ? s : TestNode.write(event)));
        if (idempotencyKey != null) {
            request.header("X-Cumulus-Idempotency-Key", idempotencyKey);
        }
        return node.exchange(request.build());
    }

    static String accepted(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String id = TestNode.json(response).get("requestId").asText();
        assertThat(response.headers().firstValue("X-Cumulus-Request-Id")).hasValue(id);
        return id;
    }

    static List<JsonNode> invocations(String function) {
        HttpResponse<String> response = node.send("GET", "/v1/functions/" + function + "/invocations?limit=1000", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return StreamSupport.stream(TestNode.json(response).get("invocations").spliterator(), false).toList();
    }

    static JsonNode invocation(String requestId) {
        HttpResponse<String> response = node.send("GET", "/v1/invocations/" + requestId, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestNode.json(response);
    }

    @Test
    void aThousandFlakyEventsEachEndSucceededOrDeadLetteredWithItsReasonAndKeysCollapseRepeats() throws Exception {
        node.deploy("dlq", "dev.cumulus.testfn.Hello", Map.of());
        node.deploy("flaky", "dev.cumulus.testfn.Flaky", Map.of("maxInstances", 4,
                "async", Map.of("maxRetries", 2, "onFailure", "function:dlq")));
        int events = 1000;
        int keyed = 200;

        Map<Integer, String> ids = new HashMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<String>> submits = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                int n = i;
                submits.add(pool.submit(() -> accepted(invokeAsync("flaky", Map.of("i", n), n < keyed ? "key-" + n : null))));
            }
            for (int i = 0; i < events; i++) {
                ids.put(i, submits.get(i).get());
            }
            // the same requests again: each collapses into the event its key first made
            List<Future<HttpResponse<String>>> repeats = new ArrayList<>();
            for (int i = 0; i < keyed; i++) {
                int n = i;
                repeats.add(pool.submit(() -> invokeAsync("flaky", Map.of("i", n), "key-" + n)));
            }
            for (int i = 0; i < keyed; i++) {
                HttpResponse<String> repeat = repeats.get(i).get();
                assertThat(repeat.statusCode()).isEqualTo(202);
                assertThat(TestNode.json(repeat).get("requestId").asText()).isEqualTo(ids.get(i));
                assertThat(TestNode.json(repeat).get("duplicate").asBoolean()).isTrue();
            }
        }
        assertThat(new HashSet<>(ids.values())).hasSize(events);

        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() ->
                invocations("flaky").stream().allMatch(r -> Set.of("succeeded", "dead-lettered").contains(r.get("state").asText())));

        List<JsonNode> ended = invocations("flaky");
        assertThat(ended).extracting(r -> r.get("requestId").asText()).containsExactlyInAnyOrderElementsOf(ids.values());
        Set<String> deadLettered = new HashSet<>();
        for (JsonNode r : ended) {
            if (r.get("state").asText().equals("dead-lettered")) {
                deadLettered.add(r.get("requestId").asText());
                assertThat(r.get("attempts").asInt()).isEqualTo(3);
                assertThat(r.get("error").get("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
            } else {
                assertThat(r.get("attempts").asInt()).isBetween(1, 3);
            }
        }
        // 0.3^3 of the events fail three times: about 27 of 1000
        assertThat(deadLettered).isNotEmpty().hasSizeLessThan(100);

        // every dead-lettered event reached the dead-letter function exactly once, carrying its reason
        await().atMost(Duration.ofMinutes(1)).until(() -> invocations("dlq").stream()
                .allMatch(r -> r.get("state").asText().equals("succeeded")));
        List<JsonNode> letters = invocations("dlq");
        assertThat(letters).extracting(r -> r.get("origin").asText()).containsExactlyInAnyOrderElementsOf(deadLettered);
        JsonNode letter = invocation(letters.getFirst().get("requestId").asText()).get("event");
        assertThat(letter.get("type").asText()).isEqualTo("dev.cumulus.async.failure");
        assertThat(letter.get("subject").asText()).isEqualTo(letters.getFirst().get("origin").asText());
        JsonNode reason = letter.get("data").get("reason");
        assertThat(reason.get("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(reason.get("errorMessage").asText()).startsWith("flaky failure of ");
        assertThat(reason.get("attempts").asInt()).isEqualTo(3);
        assertThat(letter.get("data").get("requestContext").get("condition").asText()).isEqualTo("RetriesExhausted");
        assertThat(letter.get("data").get("requestPayload").has("i")).isTrue();

        // the keyed events ran to success at most once each, and every attempt is on record
        for (int i = 0; i < keyed; i++) {
            JsonNode detail = invocation(ids.get(i));
            List<String> outcomes = StreamSupport.stream(detail.get("tries").spliterator(), false)
                    .map(a -> a.get("outcome").asText()).toList();
            if (detail.get("state").asText().equals("succeeded")) {
                assertThat(outcomes).last().isEqualTo("succeeded");
                assertThat(outcomes).filteredOn("succeeded"::equals).hasSize(1);
            } else {
                assertThat(outcomes).containsExactly("failed", "failed", "failed");
                assertThat(detail.get("destinations")).singleElement()
                        .satisfies(d -> assertThat(d.get("target").asText()).isEqualTo("function:dlq"));
            }
            assertThat(detail.get("idempotencyKey").asText()).isEqualTo("key-" + i);
        }
    }

    @Test
    void theFunctionSeesTheCloudEventAttributesInItsContextAndTheRawDataAsItsInput() {
        node.deploy("ce", "dev.cumulus.testfn.CloudEventEcho", Map.of("async", Map.of("onSuccess", "function:sink")));

        String id = accepted(invokeAsync("ce", Map.of("hello", "world"), null));

        await().atMost(Duration.ofMinutes(1)).until(() -> invocation(id).get("destinations").size() == 1
                && invocation(id).get("destinations").get(0).get("state").asText().equals("succeeded"));
        JsonNode detail = invocation(id);
        assertThat(detail.get("state").asText()).isEqualTo("succeeded");
        assertThat(detail.get("tries")).singleElement()
                .satisfies(a -> assertThat(a.get("outcome").asText()).isEqualTo("succeeded"));
        JsonNode record = invocation(detail.get("destinations").get(0).get("requestId").asText()).get("event");
        assertThat(record.get("type").asText()).isEqualTo("dev.cumulus.async.success");
        JsonNode seen = record.get("data").get("responsePayload");
        JsonNode attributes = seen.get("cloudEvent");
        assertThat(attributes.get("id").asText()).isEqualTo(id);
        assertThat(attributes.get("specversion").asText()).isEqualTo("1.0");
        assertThat(attributes.get("source").asText()).isEqualTo("/v1/functions/ce");
        assertThat(attributes.get("type").asText()).isEqualTo("dev.cumulus.function.invoke");
        assertThat(attributes.get("datacontenttype").asText()).isEqualTo("application/json");
        assertThat(attributes.get("time").asText()).isEqualTo(detail.get("event").get("time").asText());
        assertThat(seen.get("input").get("hello").asText()).isEqualTo("world");

        // a synchronous call carries no CloudEvent
        HttpResponse<String> sync = node.invoke("ce", Map.of("x", 1));
        assertThat(TestNode.json(sync).get("cloudEvent").isNull()).isTrue();
    }

    @Test
    void theCloudEventsFormatDeliversTheWholeStructuredEventAsTheInput() {
        node.deploy("structured", "dev.cumulus.testfn.CloudEventEcho", Map.of("async", Map.of("onSuccess", "function:sink")));

        String id = node.platform.async().submit(new AsyncInvoker.Event("structured", "{\"order\":42}".getBytes(),
                null, "/v1/topics/orders", "com.example.order.created", "orders/42", "evt-1",
                AsyncInvoker.PayloadFormat.CLOUDEVENTS)).requestId();

        await().atMost(Duration.ofMinutes(1)).until(() -> invocation(id).get("destinations").size() == 1
                && invocation(id).get("destinations").get(0).get("state").asText().equals("succeeded"));
        JsonNode seen = invocation(invocation(id).get("destinations").get(0).get("requestId").asText())
                .get("event").get("data").get("responsePayload");
        JsonNode input = seen.get("input");
        assertThat(input.get("specversion").asText()).isEqualTo("1.0");
        assertThat(input.get("id").asText()).isEqualTo("evt-1");
        assertThat(input.get("source").asText()).isEqualTo("/v1/topics/orders");
        assertThat(input.get("type").asText()).isEqualTo("com.example.order.created");
        assertThat(input.get("subject").asText()).isEqualTo("orders/42");
        assertThat(input.get("datacontenttype").asText()).isEqualTo("application/json");
        assertThat(input.get("time").asText()).isNotBlank();
        assertThat(input.get("data").get("order").asInt()).isEqualTo(42);
        assertThat(seen.get("cloudEvent").get("id").asText()).isEqualTo("evt-1");
        assertThat(seen.get("cloudEvent").get("subject").asText()).isEqualTo("orders/42");
    }

    @Test
    void anEventWhoseFunctionIsDeletedWhileItWaitsForARetryEndsFailedNotLost() {
        node.deploy("doomed", "dev.cumulus.testfn.Flaky", Map.of("async", Map.of("maxRetries", 10)));
        String id = accepted(invokeAsync("doomed", Map.of("failRate", 1.0), null));
        await().atMost(Duration.ofMinutes(1)).until(() -> invocation(id).get("attempts").asInt() >= 4);

        assertThat(node.send("DELETE", "/v1/functions/doomed", null).statusCode()).isEqualTo(204);

        await().atMost(Duration.ofMinutes(1)).until(() -> invocation(id).get("state").asText().equals("failed"));
        JsonNode detail = invocation(id);
        assertThat(detail.get("error").get("errorType").asText()).isEqualTo("FunctionNotFound");
        List<JsonNode> tries = StreamSupport.stream(detail.get("tries").spliterator(), false).toList();
        assertThat(tries.getLast().get("outcome").asText()).isEqualTo("undeliverable");
        assertThat(tries.subList(0, 4)).allSatisfy(t -> assertThat(t.get("outcome").asText()).isEqualTo("failed"));
    }

    @Test
    void badAsyncSettingsAreRefusedWithClearErrors() {
        assertError(put("bad", Map.of("async", Map.of("maxRetries", 11))), 400, "InvalidParameter",
                "async.maxRetries must be between 0 and 10, got 11");
        assertError(put("bad", Map.of("async", Map.of("maxEventAgeSeconds", 30))), 400, "InvalidParameter",
                "async.maxEventAgeSeconds must be between 60 and 21600, got 30");
        assertError(put("bad", Map.of("async", Map.of("onFailure", "function:nope"))), 400, "InvalidDestination",
                "async.onFailure: function nope does not exist");
        assertError(put("bad", Map.of("async", Map.of("onSuccess", "topic:orders"))), 400, "InvalidDestination",
                "async.onSuccess: topic orders does not exist");
        assertError(put("bad", Map.of("async", Map.of("onFailure", "queue:x"))), 400, "InvalidDestination",
                "async.onFailure must be 'function:NAME' or 'topic:NAME'");
        assertError(put("bad", Map.of("async", Map.of("retries", 1))), 400, "InvalidParameter",
                "unknown field 'async.retries'");
        assertError(put("bad", Map.of("async", Map.of("maxRetries", "two"))), 400, "InvalidParameter",
                "'async.maxRetries' must be an integer");
        assertThat(node.send("GET", "/v1/functions/bad", null).statusCode()).isEqualTo(404);

        JsonNode ok = TestNode.json(put("good", Map.of("async", Map.of("maxRetries", 0, "maxEventAgeSeconds", 60,
                "onFailure", "function:sink"))));
        assertThat(ok.get("async").get("maxRetries").asInt()).isZero();
        assertThat(ok.get("async").get("onFailure").asText()).isEqualTo("function:sink");
        Map<String, Object> clear = new HashMap<>();
        clear.put("onFailure", null); // null clears a destination; fields left out keep their values
        JsonNode cleared = TestNode.json(put("good", Map.of("async", clear)));
        assertThat(cleared.get("async").get("onFailure").isNull()).isTrue();
        assertThat(cleared.get("async").get("maxRetries").asInt()).isZero();
    }

    @Test
    void badAsyncInvocationsAreRefusedWithClearErrors() {
        node.deploy("target", "dev.cumulus.testfn.Hello", Map.of());

        assertError(invokeAsync("target", "{\"big\":\"" + "x".repeat(256 * 1024) + "\"}", null), 413,
                "PayloadTooLarge", null);
        assertError(invokeAsync("missing", Map.of(), null), 404, "NotFound", "function missing does not exist");
        assertError(invokeAsync("target", "{not json", null), 400, "MalformedJson", null);
        assertError(invokeAsync("target", Map.of(), "has space"), 400, "InvalidIdempotencyKey", null);
        assertError(node.exchange(HttpRequest.newBuilder(node.url("/v1/functions/target/invoke"))
                .header("Authorization", "Bearer " + node.platform.rootToken())
                .header("X-Cumulus-Invocation-Type", "Later")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build()), 400, "InvalidParameter",
                "X-Cumulus-Invocation-Type must be RequestResponse or Event, got 'Later'");
        assertError(node.send("GET", "/v1/invocations/no-such-id", null), 404, "NotFound",
                "no asynchronous invocation no-such-id");
        assertError(node.send("GET", "/v1/functions/missing/invocations", null), 404, "NotFound", null);
        assertError(node.send("GET", "/v1/functions/target/invocations?limit=0", null), 400, "InvalidParameter", null);
        assertError(node.send("GET", "/v1/functions/target/invocations?state=lost", null), 400, "InvalidParameter",
                "'state' must be one of");
        assertError(node.send("DELETE", "/v1/invocations/x", null), 405, "MethodNotAllowed", null);
        assertError(node.send("GET", "/v1/invocations/x", null, "wrong-token"), 401, "Unauthorized", null);
        assertThat(invocations("target")).isEmpty();
    }

    private static HttpResponse<String> put(String name, Map<String, Object> settings) {
        Map<String, Object> body = new HashMap<>(settings);
        body.put("handler", "dev.cumulus.testfn.Hello");
        body.put("codeSha256", node.testFunctionsCode());
        return node.send("PUT", "/v1/functions/" + name, TestNode.write(body));
    }

    private static void assertError(HttpResponse<String> response, int status, String code, String messageStart) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = TestNode.json(response);
        assertThat(body.get("error").asText()).isEqualTo(code);
        if (messageStart != null) {
            assertThat(body.get("message").asText()).startsWith(messageStart);
        }
    }
}
