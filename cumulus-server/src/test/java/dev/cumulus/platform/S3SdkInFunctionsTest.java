package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.s3.model.LambdaFunctionConfiguration;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The AWS SDK's {@code S3Client}, built with nothing but path-style, inside a sandboxed function
 * with an execution role (ADR 0039): the node's session credentials and loopback endpoint reach
 * it through the SDK's default chains; its role decides; those credentials work nowhere but
 * through their own instance's socket.
 */
class S3SdkInFunctionsTest {
    static final Path SDK_JAR = Path.of(System.getProperty("cumulus.tests3sdk.jar"));
    private static final Duration DELIVERY = Duration.ofSeconds(120);

    @TempDir
    static Path dir;

    static TestNode node;
    static S3Client admin;
    static String code;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dir.resolve("node"), c -> c.withStemCells(0));
        assertThat(node.platform.sandbox().isolated()).as("these tests need the bwrap sandbox").isTrue();
        admin = S3SdkTest.client(TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"admin\"}")), node);
        admin.createBucket(b -> b.bucket("sdk"));
        admin.putObject(b -> b.bucket("sdk").key("fn/seed.txt"), RequestBody.fromString("seeded"));
        HttpResponse<String> role = node.send("POST", "/v1/roles", """
                {"name": "sdk-fn", "policy": {"Version": "2026-12-01", "Statement": [{"Effect": "Allow",
                 "Action": ["storage:PutObject", "storage:GetObject", "storage:DeleteObject", "storage:ListBucket"],
                 "Resource": ["crn:cumulus:storage:default:sdk/fn/*", "crn:cumulus:storage:default:sdk"]}]}}""");
        assertThat(role.statusCode()).as(role.body()).isEqualTo(201);
        code = node.upload(SDK_JAR);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void theSdkWithDefaultChainsPutsGetsListsAndDeletesWithinTheRoleAndIsDeniedOutsideIt() {
        node.deploy("sdk-user", "dev.cumulus.tests3sdk.SdkStorage::handle", Map.of("role", "sdk-fn"), code);
        JsonNode out = TestNode.json(node.invoke("sdk-user", Map.of("bucket", "sdk", "prefix", "fn/own/")));

        assertThat(out.path("got").asText()).as(out.toString()).isEqualTo("written by the SDK");
        assertThat(out.path("listed").toString()).isEqualTo("[\"fn/own/a.txt\",\"fn/own/b.txt\"]");
        assertThat(out.path("afterDelete").toString()).isEqualTo("[\"fn/own/a.txt\"]");
        assertThat(out.path("outside").asText()).isEqualTo("AccessDenied");
        assertThat(out.path("endpoint").asText()).isEqualTo("http://127.0.0.1:9001/s3");
        assertThat(out.path("accessKeyId").asText()).startsWith("ASIA");
        // what the function wrote is the bucket's, as anyone else sees it
        assertThat(admin.getObjectAsBytes(b -> b.bucket("sdk").key("fn/own/a.txt")).asUtf8String())
                .isEqualTo("written by the SDK");
        assertThat(admin.getObject(b -> b.bucket("sdk").key("fn/own/a.txt")).response().contentType())
                .isEqualTo("text/plain");
    }

    @Test
    void anInstancesCredentialsAreRefusedOverTheNetworkAndThroughAnotherInstancesSocket() {
        node.deploy("sdk-leaker", "dev.cumulus.tests3sdk.SdkStorage::handle", Map.of("role", "sdk-fn"), code);
        JsonNode leaked = TestNode.json(node.invoke("sdk-leaker", Map.of("bucket", "sdk", "prefix", "fn/leak-")));
        String id = leaked.path("accessKeyId").asText();
        String secret = leaked.path("secretAccessKey").asText();
        String token = leaked.path("sessionToken").asText();
        assertThat(token).as(leaked.toString()).isNotEmpty();

        // from outside the sandbox, at the node's TCP port: with or without the token
        try (S3Client outside = client(StaticCredentialsProvider.create(AwsSessionCredentials.create(id, secret, token)))) {
            assertThatThrownBy(() -> outside.getObjectAsBytes(b -> b.bucket("sdk").key("fn/seed.txt")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAccessKeyId");
                    });
        }
        try (S3Client outside = client(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))) {
            assertThatThrownBy(() -> outside.getObjectAsBytes(b -> b.bucket("sdk").key("fn/seed.txt")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }

        // another instance (same role even) cannot use them through its own socket
        node.deploy("sdk-other", "dev.cumulus.tests3sdk.SdkStorage::handle", Map.of("role", "sdk-fn"), code);
        JsonNode borrowed = TestNode.json(node.invoke("sdk-other", Map.of("bucket", "sdk", "key", "fn/seed.txt",
                "accessKeyId", id, "secretAccessKey", secret, "sessionToken", token)));
        assertThat(borrowed.path("error").asText()).as(borrowed.toString()).isEqualTo("InvalidAccessKeyId");

        // the leaker's own instance, with its own credentials but a wrong token, is refused too
        JsonNode wrongToken = TestNode.json(node.invoke("sdk-leaker", Map.of("bucket", "sdk", "key", "fn/seed.txt",
                "accessKeyId", id, "secretAccessKey", secret, "sessionToken", token + "x")));
        assertThat(wrongToken.path("error").asText()).as(wrongToken.toString()).isEqualTo("InvalidAccessKeyId");
        // and with them, as they are, it reads
        JsonNode own = TestNode.json(node.invoke("sdk-leaker", Map.of("bucket", "sdk", "key", "fn/seed.txt",
                "accessKeyId", id, "secretAccessKey", secret, "sessionToken", token)));
        assertThat(own.path("got").asText()).as(own.toString()).isEqualTo("seeded");
    }

    @Test
    void aStoppedInstancesCredentialsAreRefusedByItsSuccessor() {
        node.deploy("sdk-redeployed", "dev.cumulus.tests3sdk.SdkStorage::handle", Map.of("role", "sdk-fn"), code);
        JsonNode first = TestNode.json(node.invoke("sdk-redeployed", Map.of("bucket", "sdk", "prefix", "fn/r-")));
        // a new configuration retires the old instances; the next invocation starts a new one
        node.deploy("sdk-redeployed", "dev.cumulus.tests3sdk.SdkStorage::handle", Map.of("role", "sdk-fn",
                "memoryMb", 384), code);
        JsonNode again = TestNode.json(node.invoke("sdk-redeployed", Map.of("bucket", "sdk", "key", "fn/seed.txt",
                "accessKeyId", first.path("accessKeyId").asText(),
                "secretAccessKey", first.path("secretAccessKey").asText(),
                "sessionToken", first.path("sessionToken").asText())));
        assertThat(again.path("error").asText()).as(again.toString()).isEqualTo("InvalidAccessKeyId");
    }

    /**
     * The SDK sends no hop count, yet a function writing through it onto the key that triggered it
     * is stopped after 16 storage-triggered invocations, as with {@code context.storage()}.
     */
    @Test
    void aFunctionLoopingThroughTheSdkIsStoppedAfterSixteenHops() {
        admin.createBucket(b -> b.bucket("sdk-loop"));
        HttpResponse<String> role = node.send("POST", "/v1/roles", """
                {"name": "sdk-looper", "policy": {"Version": "2026-12-01", "Statement": [{"Effect": "Allow",
                 "Action": ["storage:*"], "Resource": ["crn:cumulus:storage:default:sdk-loop/*"]}]}}""");
        assertThat(role.statusCode()).as(role.body()).isEqualTo(201);
        node.deploy("sdk-looper", "dev.cumulus.tests3sdk.SdkStorage::handle", Map.of("role", "sdk-looper"), code);
        admin.putBucketNotificationConfiguration(b -> b.bucket("sdk-loop").notificationConfiguration(n -> n
                .lambdaFunctionConfigurations(LambdaFunctionConfiguration.builder().id("sdk-looper")
                        .lambdaFunctionArn("sdk-looper").events(Event.S3_OBJECT_CREATED).build())));
        admin.putObject(b -> b.bucket("sdk-loop").key("again.txt"), RequestBody.fromString("round and round"));

        await().atMost(DELIVERY).until(() -> StorageFunctionsTest.recursionAudit(node).size() > 0);
        JsonNode line = StorageFunctionsTest.recursionAudit(node).get(0);
        assertThat(line.get("resource").asText()).isEqualTo("crn:cumulus:storage:default:sdk-loop/again.txt");
        assertThat(line.get("detail").asText()).contains("16");
        await().atMost(DELIVERY).until(() -> StorageFunctionsTest.invocations(node, "sdk-looper") == 16);
    }

    @Test
    void aFunctionWithoutARoleGetsNoCredentials() {
        node.deploy("sdk-anonymous", "dev.cumulus.tests3sdk.SdkStorage::handle", Map.of(), code);
        HttpResponse<String> response = node.invoke("sdk-anonymous", Map.of("bucket", "sdk", "prefix", "fn/"));
        assertThat(response.headers().firstValue("X-Cumulus-Function-Error")).as(response.body()).isPresent();
        assertThat(response.body()).contains("Unable to load");
    }

    private static S3Client client(StaticCredentialsProvider credentials) {
        return S3Client.builder().endpointOverride(node.url("/s3")).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(credentials).overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none())).build();
    }

}
