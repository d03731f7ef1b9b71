package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.s3.model.FilterRuleName;
import software.amazon.awssdk.services.s3.model.LambdaFunctionConfiguration;

/**
 * Functions using storage from inside their instance ({@code Context.storage()}) with their
 * execution role: a trigger's function copies what was uploaded; a role allowed only
 * {@code uploads/*} reads there and gets AccessDenied elsewhere; a function writing onto the key
 * that triggered it is stopped after 16 storage-triggered invocations, logged and audited.
 */
class StorageFunctionsTest {
    private static final Duration DELIVERY = Duration.ofSeconds(120);

    @TempDir
    static Path dir;

    static TestNode node;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dir.resolve("node"), c -> c.withStemCells(0));
        s3 = S3SdkTest.client(TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"functions\"}")), node);
        role("storage-all", "storage:*", "crn:cumulus:storage:default:*");
        role("uploads-reader", "storage:GetObject", "crn:cumulus:storage:default:pipeline/uploads/*");
        s3.createBucket(b -> b.bucket("pipeline"));
        s3.createBucket(b -> b.bucket("loop"));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static void role(String name, String action, String resource) {
        HttpResponse<String> created = node.send("POST", "/v1/roles", """
                {"name": "%s", "policy": {"Version": "2026-12-01", "Statement": [{"Effect": "Allow",
                 "Action": ["%s", "storage:ListBucket"], "Resource": ["%s", "crn:cumulus:storage:default:pipeline"]}]}}"""
                .formatted(name, action, resource));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    static void trigger(String bucket, String function, String prefix) {
        s3.putBucketNotificationConfiguration(b -> b.bucket(bucket).notificationConfiguration(n -> n
                .lambdaFunctionConfigurations(LambdaFunctionConfiguration.builder().id(function)
                        .lambdaFunctionArn(function).events(Event.S3_OBJECT_CREATED)
                        .filter(f -> f.key(k -> k.filterRules(r -> r.name(FilterRuleName.PREFIX).value(prefix)))).build())));
    }

    @Test
    void aTriggeredFunctionCopiesTheUploadWithItsRoleAndARoleConfinedToAPrefixIsDeniedElsewhere() {
        node.deploy("copier", "dev.cumulus.testfn.StorageWriter", Map.of("role", "storage-all",
                "environment", Map.of("TARGET_PREFIX", "copies/")));
        trigger("pipeline", "copier", "uploads/");
        s3.putObject(b -> b.bucket("pipeline").key("uploads/a.txt"), RequestBody.fromString("uploaded"));
        s3.putObject(b -> b.bucket("pipeline").key("secret/b.txt"), RequestBody.fromString("not for readers"));
        await().atMost(DELIVERY).ignoreExceptions().until(() -> s3.getObjectAsBytes(b -> b.bucket("pipeline")
                .key("copies/uploads/a.txt")).asUtf8String().equals("uploaded"));

        node.deploy("reader", "dev.cumulus.testfn.StorageWriter", Map.of("role", "uploads-reader"));
        JsonNode allowed = TestNode.json(node.invoke("reader", Map.of("bucket", "pipeline", "read", "uploads/a.txt")));
        assertThat(allowed.path("data").asText()).as(allowed.toString()).isEqualTo("uploaded");
        assertThat(allowed.path("keys").toString()).contains("uploads/a.txt");
        JsonNode denied = TestNode.json(node.invoke("reader", Map.of("bucket", "pipeline", "read", "secret/b.txt")));
        assertThat(denied.path("error").asText()).as(denied.toString()).isEqualTo("AccessDenied");
        assertThat(denied.path("status").asInt()).isEqualTo(403);

        node.deploy("no-role", "dev.cumulus.testfn.StorageWriter", Map.of());
        JsonNode anonymous = TestNode.json(node.invoke("no-role", Map.of("bucket", "pipeline", "read", "uploads/a.txt")));
        assertThat(anonymous.path("error").asText()).isEqualTo("AccessDenied");
    }

    @Test
    void aFunctionWritingOntoTheKeyThatTriggeredItIsStoppedAfterSixteenHops() {
        node.deploy("looper", "dev.cumulus.testfn.StorageWriter", Map.of("role", "storage-all",
                "environment", Map.of("TARGET_PREFIX", "")));
        trigger("loop", "looper", "");
        s3.putObject(b -> b.bucket("loop").key("again.txt"), RequestBody.fromString("round and round"));

        await().atMost(DELIVERY).until(() -> !recursionAudit().isEmpty());
        JsonNode line = recursionAudit().get(0);
        assertThat(line.get("outcome").asText()).isEqualTo("deny");
        assertThat(line.get("resource").asText()).isEqualTo("crn:cumulus:storage:default:loop/again.txt");
        assertThat(line.get("detail").asText()).contains("16");
        await().atMost(DELIVERY).until(() -> storedLines("looper") == 16);
        assertThat(invocations("looper")).as("one invocation per hop, none after the stop").isEqualTo(16);
    }

    static JsonNode recursionAudit() {
        return recursionAudit(node);
    }

    static JsonNode recursionAudit(TestNode node) {
        HttpResponse<String> response = node.send("GET", "/v1/audit?action=storage:InvokeTrigger", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestNode.json(response).get("entries");
    }

    static int invocations(String function) {
        return invocations(node, function);
    }

    static int invocations(TestNode node, String function) {
        HttpResponse<String> response = node.send("GET", "/v1/functions/" + function + "/invocations?limit=1000", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestNode.json(response).get("invocations").size();
    }

    static long storedLines(String function) {
        HttpResponse<String> response = node.send("GET", "/v1/functions/" + function + "/logs?limit=10000", null);
        return response.body().lines().filter(l -> l.contains("stored ")).count();
    }
}
