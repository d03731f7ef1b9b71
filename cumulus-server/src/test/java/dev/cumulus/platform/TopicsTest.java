package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.async.AsyncDelivery;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * Topics on a real node: filtered fan-out to real functions, the CloudEvent they see, dead
 * letters, {@code topic:} destinations, publishing from inside a function, bad input.
 */
class TopicsTest {
    private static final Duration DELIVERY = Duration.ofSeconds(90);

    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c.withAsync(AsyncDelivery.Settings.defaults().withBackoff(Duration.ofMillis(20))));
        // functions publish with their execution role's rights
        HttpResponse<String> role = node.send("POST", "/v1/roles", """
                {"name":"publisher","policy":{"Version":"2026-12-01","Statement":[{"Effect":"Allow",
                 "Action":"topics:Publish","Resource":"crn:cumulus:topics:default:*"}]}}""");
        assertThat(role.statusCode()).as(role.body()).isEqualTo(201);
        HttpResponse<String> narrow = node.send("POST", "/v1/roles", """
                {"name":"narrow","policy":{"Version":"2026-12-01","Statement":[{"Effect":"Allow",
                 "Action":"topics:Publish","Resource":"crn:cumulus:topics:default:narrow-ok"}]}}""");
        assertThat(narrow.statusCode()).as(narrow.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void publishedEventsReachExactlyTheSubscriptionsWhoseFiltersTakeThem() {
        createTopic("orders");
        for (String f : List.of("t-all", "t-type", "t-source", "t-subject", "t-structured")) {
            node.deploy(f, "dev.cumulus.testfn.CloudEventLog", Map.of());
        }
        subscribe("orders", Map.of("function", "t-all"));
        subscribe("orders", Map.of("function", "t-type", "filter", Map.of("type", "order.created")));
        subscribe("orders", Map.of("function", "t-source", "filter", Map.of("source", "/shop")));
        subscribe("orders", Map.of("function", "t-subject", "filter", Map.of("subjectPrefix", "eu/")));
        subscribe("orders", Map.of("function", "t-structured", "filter", Map.of("type", "order.created",
                "source", "/shop"), "payloadFormat", "cloudevents"));

        String e1 = published(publish("orders", "{\"n\":1}", "order.created", "/shop", "eu/fr", null));
        String e2 = published(publish("orders", "{\"n\":2}", "order.cancelled", "/shop", "us/ny", null));
        String e3 = published(publish("orders", "{\"n\":3}", "order.created", "/other", "eu/de", null));

        // the outbox holds one event per matching subscriber as soon as the publish is answered
        assertThat(invocationCount("t-all")).isEqualTo(3);
        assertThat(invocationCount("t-type")).isEqualTo(2);
        assertThat(invocationCount("t-source")).isEqualTo(2);
        assertThat(invocationCount("t-subject")).isEqualTo(2);
        assertThat(invocationCount("t-structured")).isEqualTo(1);

        await().atMost(DELIVERY).until(() -> ceLines("t-all").size() == 3 && ceLines("t-type").size() == 2
                && ceLines("t-source").size() == 2 && ceLines("t-subject").size() == 2
                && ceLines("t-structured").size() == 1);
        assertThat(ceLines("t-all")).containsExactlyInAnyOrder(
                "ce " + e1 + "|order.created|/shop|eu/fr|{\"n\":1}",
                "ce " + e2 + "|order.cancelled|/shop|us/ny|{\"n\":2}",
                "ce " + e3 + "|order.created|/other|eu/de|{\"n\":3}");
        assertThat(ceLines("t-type")).extracting(TopicsTest::eventId).containsExactlyInAnyOrder(e1, e3);
        assertThat(ceLines("t-source")).extracting(TopicsTest::eventId).containsExactlyInAnyOrder(e1, e2);
        assertThat(ceLines("t-subject")).extracting(TopicsTest::eventId).containsExactlyInAnyOrder(e1, e3);
        // the structured payload is the whole CloudEvent, data included
        String structured = ceLines("t-structured").getFirst();
        JsonNode event = parse(structured.substring(structured.lastIndexOf('|') + 1));
        assertThat(event.path("id").asText()).isEqualTo(e1);
        assertThat(event.path("specversion").asText()).isEqualTo("1.0");
        assertThat(event.path("type").asText()).isEqualTo("order.created");
        assertThat(event.path("subject").asText()).isEqualTo("eu/fr");
        assertThat(event.path("data").path("n").asInt()).isEqualTo(1);
    }

    @Test
    void publishingTheSameEventIdAgainInvokesNoSubscriberTwice() {
        createTopic("retried");
        node.deploy("t-once", "dev.cumulus.testfn.CloudEventLog", Map.of());
        subscribe("retried", Map.of("function", "t-once"));
        String id = published(publish("retried", "{\"k\":1}", null, null, null, "order-42"));
        assertThat(id).isEqualTo("order-42");
        assertThat(published(publish("retried", "{\"k\":1}", null, null, null, "order-42"))).isEqualTo("order-42");
        assertThat(invocationCount("t-once")).isEqualTo(1);
        await().atMost(DELIVERY).until(() -> ceLines("t-once").size() == 1);
        assertThat(ceLines("t-once").getFirst()).isEqualTo("ce order-42|dev.cumulus.topic.event|/v1/topics/retried|null|{\"k\":1}");
    }

    @Test
    void aSubscriberThatKeepsFailingEndsInItsDeadLetterDestination() {
        createTopic("jobs");
        node.deploy("t-dlq", "dev.cumulus.testfn.PrintEvent", Map.of());
        node.deploy("t-failing", "dev.cumulus.testfn.CloudEventLog",
                Map.of("async", Map.of("maxRetries", 1, "onFailure", "function:t-dlq")));
        subscribe("jobs", Map.of("function", "t-failing"));
        String id = published(publish("jobs", "{\"fail\":true}", "job.run", null, null, null));

        await().atMost(DELIVERY).until(() -> !eventLines("t-dlq").isEmpty());
        JsonNode record = parse(eventLines("t-dlq").getFirst().substring("event ".length()));
        assertThat(record.path("requestContext").path("condition").asText()).isEqualTo("RetriesExhausted");
        assertThat(record.path("requestContext").path("approximateInvokeCount").asInt()).isEqualTo(2);
        assertThat(record.path("requestPayload").path("fail").asBoolean()).isTrue();
        assertThat(record.path("requestCloudEvent").path("id").asText()).isEqualTo(id);
        assertThat(record.path("requestCloudEvent").path("type").asText()).isEqualTo("job.run");
        await().atMost(DELIVERY).until(() -> ceLines("t-failing").size() == 2);
    }

    @Test
    void aTopicOnFailureDestinationReceivesTheFailureRecord() {
        createTopic("failures");
        node.deploy("t-watcher", "dev.cumulus.testfn.CloudEventLog", Map.of());
        subscribe("failures", Map.of("function", "t-watcher", "filter", Map.of("type", "dev.cumulus.async.failure")));
        // a destination topic must exist
        HttpResponse<String> refused = node.send("PUT", "/v1/functions/t-broken", TestNode.write(Map.of(
                "handler", "dev.cumulus.testfn.CloudEventLog", "codeSha256", node.testFunctionsCode(),
                "async", Map.of("onFailure", "topic:no-such-topic"))));
        assertError(refused, 400, "InvalidDestination", "no-such-topic");

        node.deploy("t-broken", "dev.cumulus.testfn.CloudEventLog",
                Map.of("async", Map.of("maxRetries", 0, "onFailure", "topic:failures")));
        HttpResponse<String> accepted = node.exchange(HttpRequest.newBuilder(node.url("/v1/functions/t-broken/invoke"))
                .header("Authorization", "Bearer " + node.platform.rootToken())
                .header("X-Cumulus-Invocation-Type", "Event")
                .POST(HttpRequest.BodyPublishers.ofString("{\"fail\":true}")).build());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String requestId = TestNode.json(accepted).get("requestId").asText();

        await().atMost(DELIVERY).until(() -> !ceLines("t-watcher").isEmpty());
        String line = ceLines("t-watcher").getFirst();
        assertThat(line).contains("|dev.cumulus.async.failure|/v1/functions/t-broken|" + requestId + "|");
        JsonNode record = parse(line.substring(line.lastIndexOf('|') + 1));
        assertThat(record.path("requestContext").path("requestId").asText()).isEqualTo(requestId);
        assertThat(record.path("reason").path("errorMessage").asText()).contains("failing as asked");
    }

    @Test
    void aFunctionPublishesAsItselfAndASubscriberGetsIt() {
        createTopic("inner");
        node.deploy("t-publisher", "dev.cumulus.testfn.Publisher", Map.of("role", "publisher"));
        node.deploy("t-inner-sub", "dev.cumulus.testfn.CloudEventLog", Map.of());
        subscribe("inner", Map.of("function", "t-inner-sub"));

        HttpResponse<String> response = node.invoke("t-publisher", Map.of("topic", "inner", "type", "reading.high",
                "subject", "sensors/s1", "data", "{\"celsius\":71.5}"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String id = TestNode.json(response).path("eventId").asText();
        assertThat(id).isNotBlank();

        await().atMost(DELIVERY).until(() -> !ceLines("t-inner-sub").isEmpty());
        assertThat(ceLines("t-inner-sub")).containsExactly(
                "ce " + id + "|reading.high|/functions/t-publisher|sensors/s1|{\"celsius\":71.5}");
    }

    @Test
    void aProvidedFunctionPublishesAtItsRuntimeApiAddress() {
        createTopic("from-shell");
        node.deploy("t-shell-sub", "dev.cumulus.testfn.CloudEventLog", Map.of());
        subscribe("from-shell", Map.of("function", "t-shell-sub"));
        ProvidedFunctions.deploy(node, "t-shell", "shell", "any", Map.of("environment", Map.of("PUBLISH_TOPIC", "from-shell"), "role", "publisher"));

        HttpResponse<String> response = node.send("POST", "/v1/functions/t-shell/invoke", "{\"publish\":true,\"n\":7}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode answer = TestNode.json(response);
        assertThat(answer.path("subscribers").asInt()).as(response.body()).isEqualTo(1);
        String id = answer.path("eventId").asText();
        await().atMost(DELIVERY).until(() -> !ceLines("t-shell-sub").isEmpty());
        assertThat(ceLines("t-shell-sub")).containsExactly(
                "ce " + id + "|shell.published|/functions/t-shell|null|{\"publish\":true,\"n\":7}");
    }

    @Test
    void aFunctionPublishesOnlyWhereItsRoleAllows() {
        createTopic("elsewhere");
        node.deploy("t-no-role", "dev.cumulus.testfn.Publisher", Map.of());
        node.deploy("t-narrow", "dev.cumulus.testfn.Publisher", Map.of("role", "narrow"));

        JsonNode noRole = TestNode.json(node.invoke("t-no-role", Map.of("topic", "elsewhere", "data", "{}")));
        assertThat(noRole.path("refused").asInt()).isEqualTo(403);
        assertThat(noRole.path("errorType").asText()).isEqualTo("NoRole");
        JsonNode denied = TestNode.json(node.invoke("t-narrow", Map.of("topic", "elsewhere", "data", "{}")));
        assertThat(denied.path("refused").asInt()).isEqualTo(403);
        assertThat(denied.path("errorType").asText()).isEqualTo("AccessDenied");
        createTopic("narrow-ok");
        JsonNode allowed = TestNode.json(node.invoke("t-narrow", Map.of("topic", "narrow-ok", "data", "{}")));
        assertThat(allowed.path("eventId").asText()).isNotBlank();
        String audit = node.send("GET", "/v1/audit?outcome=deny&action=topics:Publish", null).body();
        assertThat(audit).contains("role:narrow@default").contains("crn:cumulus:topics:default:elsewhere");
    }

    @Test
    void aFunctionPublishingToAnUnknownTopicOrBadDataGetsTheRefusalAsAnException() {
        node.deploy("t-publisher2", "dev.cumulus.testfn.Publisher", Map.of("role", "publisher"));
        JsonNode unknown = TestNode.json(node.invoke("t-publisher2", Map.of("topic", "nowhere", "data", "{}")));
        assertThat(unknown.path("refused").asInt()).isEqualTo(404);
        assertThat(unknown.path("errorType").asText()).isEqualTo("TopicNotFound");

        createTopic("strict");
        JsonNode notJson = TestNode.json(node.invoke("t-publisher2", Map.of("topic", "strict", "data", "{oops")));
        assertThat(notJson.path("refused").asInt()).isEqualTo(400);
        assertThat(notJson.path("errorType").asText()).isEqualTo("MalformedJson");

        HttpResponse<String> thrown = node.invoke("t-publisher2", Map.of("topic", "nowhere", "data", "{}", "rethrow", true));
        assertThat(thrown.headers().firstValue("X-Cumulus-Function-Error")).hasValue("Unhandled");
        assertThat(thrown.body()).contains("ServiceException").contains("TopicNotFound");
    }

    @Test
    void topicsAreCreatedListedShownAndDeletedWithTheirSubscriptions() {
        HttpResponse<String> created = node.send("PUT", "/v1/topics/lifecycle", null);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> again = node.send("PUT", "/v1/topics/lifecycle", "{}");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(TestNode.json(again).path("created").asBoolean()).isFalse();

        node.deploy("t-life", "dev.cumulus.testfn.CloudEventLog", Map.of());
        JsonNode sub = subscribe("lifecycle", Map.of("function", "t-life", "filter", Map.of("type", "x")));
        assertThat(sub.path("id").asText()).startsWith("sub-");
        assertThat(sub.path("payloadFormat").asText()).isEqualTo("raw");
        assertThat(sub.path("filter").path("type").asText()).isEqualTo("x");

        JsonNode listed = TestNode.json(node.send("GET", "/v1/topics", null));
        JsonNode entry = StreamSupport.stream(listed.get("topics").spliterator(), false)
                .filter(t -> t.path("name").asText().equals("lifecycle")).findFirst().orElseThrow();
        assertThat(entry.path("subscriptions").asInt()).isEqualTo(1);
        JsonNode shown = TestNode.json(node.send("GET", "/v1/topics/lifecycle", null));
        assertThat(shown.path("subscriptions").get(0).path("id").asText()).isEqualTo(sub.path("id").asText());
        JsonNode subs = TestNode.json(node.send("GET", "/v1/topics/lifecycle/subscriptions", null));
        assertThat(subs.path("subscriptions")).hasSize(1);

        assertThat(node.send("DELETE", "/v1/topics/lifecycle/subscriptions/" + sub.path("id").asText(), null)
                .statusCode()).isEqualTo(204);
        assertError(node.send("DELETE", "/v1/topics/lifecycle/subscriptions/" + sub.path("id").asText(), null),
                404, "NotFound", sub.path("id").asText());
        subscribe("lifecycle", Map.of("function", "t-life"));
        assertThat(node.send("DELETE", "/v1/topics/lifecycle", null).statusCode()).isEqualTo(204);
        assertError(node.send("GET", "/v1/topics/lifecycle", null), 404, "TopicNotFound", "lifecycle");
        assertThat(node.send("PUT", "/v1/topics/lifecycle", null).statusCode()).isEqualTo(201);
        assertThat(TestNode.json(node.send("GET", "/v1/topics/lifecycle/subscriptions", null)).path("subscriptions"))
                .isEmpty();
    }

    @Test
    void badInputIsRefusedPrecisely() {
        createTopic("checked");
        node.deploy("t-checked", "dev.cumulus.testfn.CloudEventLog", Map.of());
        assertError(publish("no-such", "{}", null, null, null, null), 404, "TopicNotFound", "no-such");
        assertError(publish("checked", "{not json", null, null, null, null), 400, "MalformedJson", "");
        assertError(publish("checked", "", null, null, null, null), 400, "MalformedJson", "JSON");
        String big = "{\"x\":\"" + "a".repeat(256 * 1024) + "\"}";
        assertError(publish("checked", big, null, null, null, null), 413, "PayloadTooLarge", "262144");
        assertError(publish("checked", "{}", null, null, null, "has space"), 400, "InvalidEventId", "visible ASCII");
        assertError(publish("checked", "{}", "t".repeat(257), null, null, null), 400, "InvalidAttribute", "type");
        HttpResponse<String> twice = node.exchange(HttpRequest.newBuilder(node.url("/v1/topics/checked/events?type=a"))
                .header("Authorization", "Bearer " + node.platform.rootToken()).header("ce-type", "b")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertError(twice, 400, "InvalidAttribute", "ce-type");

        assertError(node.send("PUT", "/v1/topics/bad%20name", null), 400, "InvalidTopicName", "letters");
        assertError(node.send("PUT", "/v1/topics/-dash", null), 400, "InvalidTopicName", "letters");
        assertError(node.send("PUT", "/v1/topics/withbody", "{\"retention\":1}"), 400, "InvalidTopic", "no settings");

        String subs = "/v1/topics/checked/subscriptions";
        assertError(node.send("POST", subs, "{}"), 400, "InvalidFunction", "required");
        assertError(node.send("POST", subs, TestNode.write(Map.of("function", "ghost"))), 400, "InvalidFunction", "ghost");
        assertError(node.send("POST", subs, TestNode.write(Map.of("function", "t-checked:nope"))), 400,
                "InvalidFunction", "nope");
        assertError(node.send("POST", subs, TestNode.write(Map.of("function", "t-checked", "filter", Map.of("kind", "x")))),
                400, "InvalidFilter", "kind");
        assertError(node.send("POST", subs, TestNode.write(Map.of("function", "t-checked", "filter", Map.of("type", 5)))),
                400, "InvalidFilter", "filter.type");
        assertError(node.send("POST", subs, TestNode.write(Map.of("function", "t-checked", "filter", "type=x"))),
                400, "InvalidFilter", "object");
        assertError(node.send("POST", subs, TestNode.write(Map.of("function", "t-checked", "payloadFormat", "xml"))),
                400, "InvalidPayloadFormat", "raw or cloudevents");
        assertError(node.send("POST", subs, TestNode.write(Map.of("function", "t-checked", "retries", 3))),
                400, "InvalidSubscription", "retries");
        assertError(node.send("POST", subs, "[1]"), 400, "MalformedJson", "object");
        assertError(node.send("POST", "/v1/topics/no-such/subscriptions", TestNode.write(Map.of("function", "t-checked"))),
                404, "TopicNotFound", "no-such");
        assertError(node.send("GET", "/v1/topics/checked/events", null), 405, "MethodNotAllowed", "POST");
        assertThat(node.send("GET", "/v1/topics", null, null).statusCode()).isEqualTo(401);
        // nothing refused reached the subscriber-less topic's would-be subscriber
        assertThat(invocationCount("t-checked")).isZero();
    }

    @Test
    void aSubscriberWhoseAliasWasDeletedIsSkippedAndNamed() {
        // deleting a subscribed function is refused (FunctionDeletionTest); deleting an alias is
        // not (Lambda's DeleteAlias never checks), so a subscription can still name nothing
        createTopic("orphans");
        node.deploy("t-gone", "dev.cumulus.testfn.CloudEventLog", Map.of());
        node.deploy("t-stays", "dev.cumulus.testfn.CloudEventLog", Map.of());
        try (LambdaClient lambda = node.lambdaClient()) {
            lambda.publishVersion(r -> r.functionName("t-gone"));
            lambda.createAlias(r -> r.functionName("t-gone").name("live").functionVersion("1"));
            String gone = subscribe("orphans", Map.of("function", "t-gone:live")).path("id").asText();
            subscribe("orphans", Map.of("function", "t-stays"));
            lambda.deleteAlias(r -> r.functionName("t-gone").name("live"));

            HttpResponse<String> response = publish("orphans", "{}", null, null, null, null);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            JsonNode answer = TestNode.json(response);
            assertThat(answer.path("subscribers").asInt()).isEqualTo(1);
            assertThat(answer.path("skipped").get(0).path("subscription").asText()).isEqualTo(gone);
            assertThat(answer.path("skipped").get(0).path("reason").asText()).isEqualTo("function t-gone has no alias live");
            await().atMost(DELIVERY).until(() -> ceLines("t-stays").size() == 1);
        }
    }

    // --- helpers ---

    static void createTopic(String name) {
        HttpResponse<String> response = node.send("PUT", "/v1/topics/" + name, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    static JsonNode subscribe(String topic, Map<String, Object> body) {
        HttpResponse<String> response = node.send("POST", "/v1/topics/" + topic + "/subscriptions", TestNode.write(body));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return TestNode.json(response);
    }

    static HttpResponse<String> publish(String topic, String data, String type, String source, String subject, String id) {
        StringBuilder query = new StringBuilder();
        for (String[] p : new String[][] {{"type", type}, {"source", source}, {"subject", subject}, {"id", id}}) {
            if (p[1] != null) {
                query.append(query.isEmpty() ? '?' : '&').append(p[0]).append('=')
                        .append(URLEncoder.encode(p[1], StandardCharsets.UTF_8));
            }
        }
        return node.send("POST", "/v1/topics/" + topic + "/events" + query, data);
    }

    static String published(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return TestNode.json(response).path("eventId").asText();
    }

    static int invocationCount(String function) {
        HttpResponse<String> response = node.send("GET", "/v1/functions/" + function + "/invocations?limit=1000", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestNode.json(response).get("invocations").size();
    }

    static void assertError(HttpResponse<String> response, int status, String code, String messagePart) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = TestNode.json(response);
        assertThat(error.path("error").asText()).as(response.body()).isEqualTo(code);
        assertThat(error.path("message").asText()).as(response.body()).contains(messagePart);
    }

    static List<String> ceLines(String function) {
        return logLines(function).stream().filter(l -> l.startsWith("ce ")).toList();
    }

    static List<String> eventLines(String function) {
        return logLines(function).stream().filter(l -> l.startsWith("event ")).toList();
    }

    static String eventId(String ceLine) {
        return ceLine.substring(3, ceLine.indexOf('|'));
    }

    static JsonNode parse(String json) {
        try {
            return TestNode.JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    static List<String> logLines(String function) {
        return logLinesOf(node, function);
    }

    /** The log lines a function printed on {@code on}. */
    static List<String> logLinesOf(TestNode on, String function) {
        HttpResponse<String> response = on.send("GET", "/v1/functions/" + function + "/logs?limit=10000", null);
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> lines = new ArrayList<>();
        for (String json : response.body().split("\n")) {
            if (!json.isBlank()) {
                lines.add(parse(json).path("line").asText());
            }
        }
        return lines;
    }
}
