package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * Deleting a function with what names it (ADR 0017), on a real node: routes, schedules, topic
 * subscriptions, event source mappings and other functions' async destinations refuse a plain
 * delete with a 409 listing them; a cascading delete removes them and then the function.
 */
class FunctionDeletionTest {
    static final String ECHO = "dev.cumulus.testfn.EventEcho";

    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c.withStemCells(0));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aDeleteIsRefusedWithEveryDependentThenCascadeRemovesThemAll() {
        node.deploy("used", ECHO, Map.of());
        node.deploy("caller", ECHO, Map.of("async", Map.of("onSuccess", "function:used", "onFailure", "function:used")));
        assertThat(node.send("POST", "/v1/functions/used/versions", null).statusCode()).isEqualTo(201);
        String route = created(node.send("POST", "/v1/routes", TestNode.write(Map.of(
                "method", "GET", "path", "/used/{id}", "function", "used")))).get("id").asText();
        String versionRoute = created(node.send("POST", "/v1/routes", TestNode.write(Map.of(
                "method", "POST", "path", "/used-v1", "function", "used:1")))).get("id").asText();
        created(node.send("POST", "/v1/schedules", TestNode.write(Map.of(
                "name", "nightly-used", "function", "used", "cron", "0 2 * * *"))));
        assertThat(node.send("PUT", "/v1/topics/used-news", null).statusCode()).isEqualTo(201);
        String subscription = created(node.send("POST", "/v1/topics/used-news/subscriptions",
                TestNode.write(Map.of("function", "used")))).get("id").asText();
        // never connects (nothing listens there); a mapping names its function all the same
        created(node.send("POST", "/v1/sources", TestNode.write(Map.of("name", "used-sensors", "type", "mqtt",
                "url", "mqtt://127.0.0.1:1", "topic", "sensors/+", "function", "caller", "onFailure", "function:used",
                "enabled", false))));
        // a function whose name starts like it is not a dependent
        node.deploy("used-not", ECHO, Map.of());
        created(node.send("POST", "/v1/routes", TestNode.write(Map.of(
                "method", "GET", "path", "/other", "function", "used-not"))));

        HttpResponse<String> refused = node.send("DELETE", "/v1/functions/used", null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        JsonNode body = TestNode.json(refused);
        assertThat(body.get("error").asText()).isEqualTo("FunctionInUse");
        assertThat(body.get("message").asText()).isEqualTo("function used is used by route POST /used-v1, "
                + "route GET /used/{id}, schedule nightly-used, subscription " + subscription + " to topic used-news, "
                + "source used-sensors (onFailure), function caller (async onSuccess), function caller (async onFailure); "
                + "remove them first, or delete with cascade to remove them too");
        assertThat(StreamSupport.stream(body.get("dependents").spliterator(), false)
                .map(d -> List.of(d.get("kind").asText(), d.get("id").asText(), d.get("name").asText(),
                        d.get("function").asText())))
                .containsExactlyInAnyOrder(
                        List.of("route", route, "GET /used/{id}", "used"),
                        List.of("route", versionRoute, "POST /used-v1", "used:1"),
                        List.of("schedule", "nightly-used", "nightly-used", "used"),
                        List.of("subscription", subscription, subscription + " to topic used-news", "used"),
                        List.of("source", "used-sensors", "used-sensors (onFailure)", "used"),
                        List.of("function", "caller", "caller (async onSuccess)", "used"),
                        List.of("function", "caller", "caller (async onFailure)", "used"));
        // refused means untouched: the function still runs and its route still reaches it
        assertThat(node.invoke("used", Map.of()).statusCode()).isEqualTo(200);
        assertThat(node.send("GET", "/api/used/7", null).statusCode()).isEqualTo(200);

        HttpResponse<String> badFlag = node.send("DELETE", "/v1/functions/used?cascade=yes", null);
        assertThat(badFlag.statusCode()).isEqualTo(400);
        assertThat(TestNode.json(badFlag).get("error").asText()).isEqualTo("InvalidParameter");
        assertThat(node.send("DELETE", "/v1/functions/used?cascade=false", null).statusCode()).isEqualTo(409);

        assertThat(node.send("DELETE", "/v1/functions/used?cascade=true", null).statusCode()).isEqualTo(204);

        assertThat(node.send("GET", "/v1/functions/used", null).statusCode()).isEqualTo(404);
        assertThat(TestNode.json(node.send("GET", "/v1/routes", null)).get("routes"))
                .extracting(r -> r.get("function").asText()).containsExactly("used-not");
        assertThat(node.send("GET", "/api/used/7", null).statusCode()).isEqualTo(404);
        assertThat(node.send("GET", "/v1/schedules/nightly-used", null).statusCode()).isEqualTo(404);
        assertThat(TestNode.json(node.send("GET", "/v1/topics/used-news/subscriptions", null)).get("subscriptions"))
                .isEmpty();
        assertThat(node.send("GET", "/v1/sources/used-sensors", null).statusCode()).isEqualTo(404);
        JsonNode async = TestNode.json(node.send("GET", "/v1/functions/caller", null)).get("async");
        assertThat(async.get("onSuccess").isNull()).as(async.toString()).isTrue();
        assertThat(async.get("onFailure").isNull()).as(async.toString()).isTrue();
        // what the cascade changed still runs
        assertThat(node.invoke("caller", Map.of()).statusCode()).isEqualTo(200);
        assertThat(node.send("GET", "/api/other", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aFunctionNothingNamesIsDeletedAtOnceAndAMissingOneIs404() {
        node.deploy("alone", ECHO, Map.of());
        assertThat(node.send("DELETE", "/v1/functions/alone", null).statusCode()).isEqualTo(204);
        HttpResponse<String> again = node.send("DELETE", "/v1/functions/alone", null);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(TestNode.json(again).get("message").asText()).isEqualTo("function alone does not exist");
        assertThat(node.send("DELETE", "/v1/functions/alone?cascade=true", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aFunctionThatIsItsOwnDestinationIsNotItsOwnDependent() {
        node.deploy("selfish", ECHO, Map.of("async", Map.of("onFailure", "function:selfish")));
        assertThat(node.send("DELETE", "/v1/functions/selfish", null).statusCode()).isEqualTo(204);
    }

    @Test
    void theLambdaApiRefusesLikeRestAndDeletesOnceNothingNamesTheFunction() {
        node.deploy("sdk-used", ECHO, Map.of());
        String route = created(node.send("POST", "/v1/routes", TestNode.write(Map.of(
                "method", "GET", "path", "/sdk-used", "function", "sdk-used")))).get("id").asText();
        try (LambdaClient lambda = node.lambdaClient()) {
            assertThatThrownBy(() -> lambda.deleteFunction(r -> r.functionName("sdk-used")))
                    .isInstanceOfSatisfying(ResourceConflictException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(409);
                        assertThat(e.awsErrorDetails().errorMessage())
                                .isEqualTo("function sdk-used is used by route GET /sdk-used; remove them first, "
                                        + "or delete with cascade to remove them too");
                    });
            assertThat(lambda.getFunction(r -> r.functionName("sdk-used")).configuration().functionName())
                    .isEqualTo("sdk-used");

            assertThat(node.send("DELETE", "/v1/routes/" + route, null).statusCode()).isEqualTo(204);
            lambda.deleteFunction(r -> r.functionName("sdk-used"));
            assertThatThrownBy(() -> lambda.getFunction(r -> r.functionName("sdk-used")))
                    .isInstanceOf(ResourceNotFoundException.class);
        }
    }

    /** A bucket's notification configuration (set here with the AWS SDK) names functions too. */
    @Test
    void storageTriggersAreDependentsAndGoWithACascade() {
        node.deploy("thumbs", ECHO, Map.of());
        JsonNode key = TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"triggers\"}"));
        try (var s3 = S3SdkTest.client(key, node)) {
            s3.createBucket(b -> b.bucket("photos"));
            s3.putBucketNotificationConfiguration(b -> b.bucket("photos").notificationConfiguration(n -> n
                    .lambdaFunctionConfigurations(l -> l.id("make-thumbs").lambdaFunctionArn("thumbs")
                            .eventsWithStrings("s3:ObjectCreated:*"))));
            HttpResponse<String> refused = node.send("DELETE", "/v1/functions/thumbs", null);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            assertThat(TestNode.json(refused).get("message").asText())
                    .contains("storage-trigger make-thumbs of bucket photos");
            JsonNode dependent = TestNode.json(refused).get("dependents").get(0);
            assertThat(dependent.get("kind").asText()).isEqualTo("storage-trigger");
            assertThat(dependent.get("id").asText()).isEqualTo("photos/make-thumbs");

            assertThat(node.send("DELETE", "/v1/functions/thumbs?cascade=true", null).statusCode()).isEqualTo(204);
            assertThat(s3.getBucketNotificationConfiguration(b -> b.bucket("photos")).lambdaFunctionConfigurations())
                    .isEmpty();
        }
    }

    @Test
    void aMissingVersionIsNamedAsTheVersionNotTheFunction() {
        node.deploy("versioned", ECHO, Map.of());
        HttpResponse<String> missing = node.invoke("versioned:7", Map.of());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(TestNode.json(missing).get("error").asText()).isEqualTo("VersionNotFound");
        assertThat(TestNode.json(missing).get("message").asText()).isEqualTo("function versioned has no version 7");
        HttpResponse<String> alias = node.invoke("versioned:live", Map.of());
        assertThat(TestNode.json(alias).get("error").asText()).isEqualTo("AliasNotFound");
        assertThat(TestNode.json(alias).get("message").asText()).isEqualTo("function versioned has no alias live");
        HttpResponse<String> noFunction = node.invoke("nothing:7", Map.of());
        assertThat(TestNode.json(noFunction).get("error").asText()).isEqualTo("NotFound");
        assertThat(TestNode.json(noFunction).get("message").asText()).isEqualTo("function nothing does not exist");
    }

    private static JsonNode created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return TestNode.json(response);
    }
}
