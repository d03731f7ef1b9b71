package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Storage events on a real node: a bucket's notification configuration (set with the AWS SDK's
 * {@code PutBucketNotificationConfiguration}) becomes triggers that invoke a function, through
 * the async invoker, with S3's event notification for each matching change; the bucket's topic
 * {@code storage.<bucket>} gets every change as a CloudEvent.
 */
class StorageTriggersTest {
    private static final Duration DELIVERY = Duration.ofSeconds(90);

    @TempDir
    static Path dir;

    static TestNode node;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dir.resolve("node"), c -> c.withStemCells(0));
        s3 = S3SdkTest.client(TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"triggers\"}")), node);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void notificationConfigurationTriggersAFunctionForMatchingKeysInS3sShape() {
        node.deploy("on-upload", "dev.cumulus.testfn.CloudEventLog", Map.of());
        node.deploy("on-remove", "dev.cumulus.testfn.CloudEventLog", Map.of());
        node.deploy("watcher", "dev.cumulus.testfn.CloudEventLog", Map.of());
        s3.createBucket(b -> b.bucket("media"));
        assertThat(node.send("PUT", "/v1/topics/storage.media", null).statusCode()).isEqualTo(201);
        assertThat(node.send("POST", "/v1/topics/storage.media/subscriptions", "{\"function\":\"watcher\"}").statusCode())
                .isEqualTo(201);

        s3.putBucketNotificationConfiguration(b -> b.bucket("media").notificationConfiguration(n -> n
                .lambdaFunctionConfigurations(
                        LambdaFunctionConfiguration.builder().id("uploads-jpg")
                                .lambdaFunctionArn("arn:aws:lambda:us-east-1:000000000000:function:on-upload")
                                .events(Event.S3_OBJECT_CREATED)
                                .filter(f -> f.key(k -> k.filterRules(
                                        r -> r.name(FilterRuleName.PREFIX).value("uploads/"),
                                        r -> r.name(FilterRuleName.SUFFIX).value(".jpg")))).build(),
                        LambdaFunctionConfiguration.builder().id("removals").lambdaFunctionArn("on-remove")
                                .events(Event.S3_OBJECT_REMOVED_DELETE).build())));
        var config = s3.getBucketNotificationConfiguration(b -> b.bucket("media"));
        assertThat(config.lambdaFunctionConfigurations()).extracting(LambdaFunctionConfiguration::id)
                .containsExactlyInAnyOrder("uploads-jpg", "removals");
        assertThatThrownBy(() -> s3.putBucketNotificationConfiguration(b -> b.bucket("media").notificationConfiguration(n -> n
                .lambdaFunctionConfigurations(LambdaFunctionConfiguration.builder().lambdaFunctionArn("no-such-function")
                        .events(Event.S3_OBJECT_CREATED).build()))))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("InvalidArgument"));

        s3.putObject(b -> b.bucket("media").key("uploads/cat.jpg"), RequestBody.fromString("jpeg bytes"));
        s3.putObject(b -> b.bucket("media").key("uploads/cat.png"), RequestBody.fromString("png bytes"));
        s3.putObject(b -> b.bucket("media").key("other/dog.jpg"), RequestBody.fromString("jpeg bytes"));
        s3.deleteObject(b -> b.bucket("media").key("other/dog.jpg"));

        await().atMost(DELIVERY).until(() -> ceLines("on-upload").size() == 1 && ceLines("on-remove").size() == 1
                && ceLines("watcher").size() == 4);
        String upload = ceLines("on-upload").getFirst();
        assertThat(upload).contains("|dev.cumulus.storage.ObjectCreated:Put|/storage/media|uploads/cat.jpg|");
        JsonNode record = parse(upload.substring(upload.indexOf("|{") + 1)).get("Records").get(0);
        assertThat(record.get("eventSource").asText()).isEqualTo("aws:s3");
        assertThat(record.get("s3").get("object").get("key").asText()).isEqualTo("uploads/cat.jpg");
        assertThat(record.get("s3").get("object").get("size").asInt()).isEqualTo(10);
        assertThat(ceLines("on-remove").getFirst()).contains("|dev.cumulus.storage.ObjectRemoved:Delete|/storage/media|other/dog.jpg|");
        assertThat(ceLines("watcher")).extracting(l -> l.split("\\|")[3])
                .containsExactlyInAnyOrder("uploads/cat.jpg", "uploads/cat.png", "other/dog.jpg", "other/dog.jpg");
    }

    static JsonNode parse(String json) {
        try {
            return TestNode.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<String> ceLines(String function) {
        HttpResponse<String> response = node.send("GET", "/v1/functions/" + function + "/logs?limit=10000", null);
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> lines = new ArrayList<>();
        for (String json : response.body().split("\n")) {
            if (!json.isBlank()) {
                String line = parse(json).path("line").asText();
                if (line.startsWith("ce ")) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }
}
