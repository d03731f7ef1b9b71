package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionResponse;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.RequestTooLargeException;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * The AWS SDK for Java v2's LambdaClient, unchanged, against a real node: it signs with a key
 * from {@code POST /v1/keys} and manages and invokes functions built from the test functions.
 */
class LambdaApiTest {
    static final String HELLO = "dev.cumulus.testfn.Hello";
    /** The default project's account id, in every ARN (FunctionArns). */
    static final String ACCOUNT = "984327297149";

    @TempDir
    static Path dir;

    static TestNode node;
    static String accessKeyId;
    static String secret;
    static LambdaClient lambda;
    static byte[] helloZip;
    static byte[] hiZip;

    @BeforeAll
    static void start() throws Exception {
        // no waiting room: a function at its instance limit answers 429 at once
        node = new TestNode(dir.resolve("node"), c -> c.withQueue(0, Duration.ofSeconds(1)));
        HttpResponse<String> created = node.send("POST", "/v1/keys", "{\"description\":\"sdk test\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        accessKeyId = TestNode.json(created).get("accessKeyId").asText();
        secret = TestNode.json(created).get("secretAccessKey").asText();
        lambda = client(accessKeyId, secret);
        helloZip = zipOfTestFunctions(null);
        hiZip = zipOfTestFunctions(compileHi(dir.resolve("hi")));
    }

    @AfterAll
    static void stop() {
        if (lambda != null) {
            lambda.close();
        }
        if (node != null) {
            node.close();
        }
    }

    static LambdaClient client(String id, String key) {
        return client(node, id, key);
    }

    /** An SDK client for {@code node}, signing with the given key, without retries. */
    static LambdaClient client(TestNode node, String id, String key) {
        return LambdaClient.builder()
                .endpointOverride(node.url("/"))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, key)))
                .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry())
                        .apiCallTimeout(Duration.ofSeconds(90)))
                .build();
    }

    @Test
    void createsInvokesUpdatesPublishesRoutesAndDeletesAFunction() throws Exception {
        CreateFunctionResponse created = lambda.createFunction(r -> r.functionName("lifecycle").runtime("java21")
                .role("arn:aws:iam::123456789012:role/anything").handler(HELLO).memorySize(256).timeout(20)
                .environment(e -> e.variables(Map.of("GREETING_STYLE", "plain")))
                .code(c -> c.zipFile(SdkBytes.fromByteArray(helloZip))));

        assertThat(created.functionName()).isEqualTo("lifecycle");
        assertThat(created.functionArn()).isEqualTo("arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:lifecycle");
        assertThat(created.runtimeAsString()).isEqualTo("java21");
        assertThat(created.role()).isEqualTo("arn:aws:iam::123456789012:role/anything");
        assertThat(created.memorySize()).isEqualTo(256);
        assertThat(created.timeout()).isEqualTo(20);
        assertThat(created.codeSha256()).isEqualTo(base64Sha256(helloZip));
        assertThat(created.environment().variables()).containsEntry("GREETING_STYLE", "plain");
        assertThat(created.version()).isEqualTo("$LATEST");
        assertThat(lambda.getFunction(r -> r.functionName("lifecycle")).configuration().handler()).isEqualTo(HELLO);
        assertThat(lambda.getFunctionConfiguration(
                r -> r.functionName("arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:lifecycle")).codeSize())
                .isEqualTo(helloZip.length);
        assertThat(lambda.listFunctions().functions()).extracting(FunctionConfiguration::functionName).contains("lifecycle");

        // synchronous, with the tail of its log: each call's own line, every time, since the Java
        // runtime sends its lines over the frame connection ahead of the answer (ADR 0054)
        for (int i = 0; i < 5; i++) {
            String name = "Ada-" + UUID.randomUUID();
            InvokeResponse answer = lambda.invoke(r -> r.functionName("lifecycle").logType(LogType.TAIL)
                    .payload(SdkBytes.fromUtf8String("{\"name\":\"" + name + "\"}")));
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.functionError()).isNull();
            assertThat(answer.executedVersion()).isEqualTo("$LATEST");
            assertThat(json(answer).get("greeting").asText()).isEqualTo("Hello, " + name + "!");
            assertThat(answer.logResult()).isNotNull();
            assertThat(new String(Base64.getDecoder().decode(answer.logResult()), StandardCharsets.UTF_8))
                    .contains("greeting " + name);
        }
        assertThat(lambda.publishVersion(r -> r.functionName("lifecycle").codeSha256(base64Sha256(helloZip))).version())
                .isEqualTo("1");

        // new code: the next invocation runs it
        var updated = lambda.updateFunctionCode(r -> r.functionName("lifecycle").zipFile(SdkBytes.fromByteArray(hiZip)));
        assertThat(updated.codeSha256()).isEqualTo(base64Sha256(hiZip));
        assertThat(greeting(lambda.invoke(r -> r.functionName("lifecycle").payload(SdkBytes.fromUtf8String("{\"name\":\"Bo\"}")))))
                .isEqualTo("Hi, Bo!");
        assertThat(lambda.publishVersion(r -> r.functionName("lifecycle")).version()).isEqualTo("2");
        assertThat(lambda.listVersionsByFunction(r -> r.functionName("lifecycle")).versions())
                .extracting(FunctionConfiguration::version).containsExactly("$LATEST", "1", "2");

        // a configuration change keeps the code and the settings the Lambda API does not know
        assertThat(node.send("PUT", "/v1/functions/lifecycle", "{\"async\":{\"maxRetries\":0}}").statusCode())
                .isEqualTo(200);
        var reconfigured = lambda.updateFunctionConfiguration(r -> r.functionName("lifecycle")
                .memorySize(384).environment(e -> e.variables(Map.of("ONLY", "this"))));
        assertThat(reconfigured.memorySize()).isEqualTo(384);
        assertThat(reconfigured.environment().variables()).isEqualTo(Map.of("ONLY", "this"));
        assertThat(reconfigured.codeSha256()).isEqualTo(base64Sha256(hiZip));
        assertThat(TestNode.json(node.send("GET", "/v1/functions/lifecycle", null))
                .at("/async/maxRetries").asInt()).isZero();

        // an alias sends 10% to version 2
        var alias = lambda.createAlias(r -> r.functionName("lifecycle").name("live").functionVersion("1")
                .routingConfig(c -> c.additionalVersionWeights(Map.of("2", 0.1))));
        assertThat(alias.aliasArn()).isEqualTo("arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:lifecycle:live");
        assertThat(lambda.getAlias(r -> r.functionName("lifecycle").name("live")).routingConfig()
                .additionalVersionWeights()).isEqualTo(Map.of("2", 0.1));
        int second = 0;
        for (int i = 0; i < 200; i++) {
            InvokeResponse answer = lambda.invoke(r -> r.functionName("lifecycle:live")
                    .payload(SdkBytes.fromUtf8String("{\"name\":\"Cy\"}")));
            String expected = answer.executedVersion().equals("2") ? "Hi, Cy!" : "Hello, Cy!";
            assertThat(answer.executedVersion()).isIn("1", "2");
            assertThat(greeting(answer)).isEqualTo(expected);
            second += answer.executedVersion().equals("2") ? 1 : 0;
        }
        // Binomial(200, 0.1): mean 20, sd 4.24; 20 +- 17 is 4 sd, so a correct router fails
        // this less than once in 10,000 runs, while 0% or 50% routing never passes
        assertThat(second).isBetween(3, 37);

        var moved = lambda.updateAlias(r -> r.functionName("lifecycle").name("live").functionVersion("2")
                .routingConfig(c -> c.additionalVersionWeights(Map.of())).revisionId(alias.revisionId()));
        assertThat(moved.functionVersion()).isEqualTo("2");
        assertThat(moved.routingConfig()).isNull();
        for (int i = 0; i < 5; i++) {
            assertThat(lambda.invoke(r -> r.functionName("lifecycle").qualifier("live")).executedVersion()).isEqualTo("2");
        }

        assertThat(lambda.getFunction(r -> r.functionName("lifecycle").qualifier("live")).configuration().version())
                .isEqualTo("2");
        assertThat(lambda.listAliases(r -> r.functionName("lifecycle")).aliases())
                .extracting(a -> a.name() + "->" + a.functionVersion()).containsExactly("live->2");
        lambda.deleteAlias(r -> r.functionName("lifecycle").name("live"));
        assertThatThrownBy(() -> lambda.getAlias(r -> r.functionName("lifecycle").name("live")))
                .isInstanceOf(ResourceNotFoundException.class);

        lambda.deleteFunction(r -> r.functionName("lifecycle"));
        assertThatThrownBy(() -> lambda.getFunction(r -> r.functionName("lifecycle")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void eventInvocationsRunLaterAndDryRunsOnlyCheck() {
        deploy("later", HELLO, helloZip);
        String name = "event-" + UUID.randomUUID();

        InvokeResponse accepted = lambda.invoke(r -> r.functionName("later").invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String("{\"name\":\"" + name + "\"}")));

        assertThat(accepted.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(node.send("GET", "/v1/functions/later/logs?limit=1000", null).body()).contains("greeting " + name));
        assertThat(lambda.invoke(r -> r.functionName("later").invocationType(InvocationType.DRY_RUN)).statusCode())
                .isEqualTo(204);
        assertThatThrownBy(() -> lambda.invoke(r -> r.functionName("nothing-here").invocationType(InvocationType.DRY_RUN)))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void aFunctionErrorIsReportedAsUnhandled() throws Exception {
        deploy("thrower", "dev.cumulus.testfn.Misbehave", helloZip);

        InvokeResponse answer = lambda.invoke(r -> r.functionName("thrower").payload(SdkBytes.fromUtf8String("{\"do\":\"throw\"}")));

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.functionError()).isEqualTo("Unhandled");
        assertThat(json(answer).get("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(json(answer).get("errorMessage").asText()).isEqualTo("boom");
    }

    @Test
    void badInputsGetLambdasExceptions() {
        assertThatThrownBy(() -> lambda.invoke(r -> r.functionName("missing")))
                .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
        assertThatThrownBy(() -> lambda.getFunction(r -> r.functionName("missing")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> lambda.createFunction(r -> r.functionName("tiny").runtime("java21").handler(HELLO)
                .role("arn:aws:iam::000000000000:role/x").memorySize(64).code(c -> c.zipFile(SdkBytes.fromByteArray(helloZip)))))
                .isInstanceOfSatisfying(InvalidParameterValueException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("memoryMb must be between 128 and 10240");
                });
        assertThatThrownBy(() -> lambda.createFunction(r -> r.functionName("node").runtime("nodejs22.x").handler("index.handler")
                .role("arn:aws:iam::000000000000:role/x").code(c -> c.zipFile(SdkBytes.fromByteArray(helloZip)))))
                .isInstanceOf(InvalidParameterValueException.class);
        assertThatThrownBy(() -> lambda.createFunction(r -> r.functionName("s3").runtime("java21").handler(HELLO)
                .role("arn:aws:iam::000000000000:role/x").code(c -> c.s3Bucket("b").s3Key("k"))))
                .isInstanceOf(InvalidParameterValueException.class);
        assertThatThrownBy(() -> lambda.createFunction(r -> r.functionName("layered").runtime("java21").handler(HELLO)
                .role("arn:aws:iam::000000000000:role/x").layers("arn:aws:lambda:us-east-1:000000000000:layer:l:1")
                .code(c -> c.zipFile(SdkBytes.fromByteArray(helloZip)))))
                .isInstanceOfSatisfying(InvalidParameterValueException.class,
                        e -> assertThat(e.getMessage()).contains("Layers is not supported"));
        assertThatThrownBy(() -> lambda.listFunctions(r -> r.maxItems(0)))
                .isInstanceOf(InvalidParameterValueException.class);

        deploy("twice", HELLO, helloZip);
        assertThatThrownBy(() -> deploy("twice", HELLO, helloZip))
                .isInstanceOfSatisfying(ResourceConflictException.class, e -> assertThat(e.statusCode()).isEqualTo(409));
        assertThatThrownBy(() -> lambda.updateFunctionConfiguration(r -> r.functionName("twice").memorySize(20_000)))
                .isInstanceOf(InvalidParameterValueException.class);
        assertThatThrownBy(() -> lambda.createAlias(r -> r.functionName("twice").name("live").functionVersion("9")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> lambda.invoke(r -> r.functionName("twice").payload(SdkBytes.fromUtf8String("{not json"))))
                .isInstanceOfSatisfying(LambdaException.class, e ->
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidRequestContentException"));
        byte[] big = ("{\"pad\":\"" + "x".repeat(300 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> lambda.invoke(r -> r.functionName("twice").invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromByteArray(big))))
                .isInstanceOfSatisfying(RequestTooLargeException.class, e -> assertThat(e.statusCode()).isEqualTo(413));
    }

    @Test
    void aFunctionAtItsLimitIsThrottled() {
        deploy("busy", "dev.cumulus.testfn.Sleep", helloZip);
        assertThat(node.send("PUT", "/v1/functions/busy", "{\"maxInstances\":1}").statusCode()).isEqualTo(200);
        CompletableFuture<InvokeResponse> slow = CompletableFuture.supplyAsync(() ->
                lambda.invoke(r -> r.functionName("busy").payload(SdkBytes.fromUtf8String("{\"ms\":4000}"))));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                TestNode.json(node.send("GET", "/v1/functions/busy/instances", null)).get("instances").toString().contains("BUSY"));

        assertThatThrownBy(() -> lambda.invoke(r -> r.functionName("busy").payload(SdkBytes.fromUtf8String("{\"ms\":0}"))))
                .isInstanceOfSatisfying(TooManyRequestsException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(429);
                    assertThat(e.retryAfterSeconds()).isNotBlank();
                });
        assertThat(slow.join().statusCode()).isEqualTo(200);
    }

    // ---- authentication

    @Test
    void aWrongSecretOrUnknownKeyIsRefusedAsLambdaDoes() {
        try (LambdaClient wrongSecret = client(accessKeyId, "x" + secret.substring(1));
                LambdaClient unknownKey = client("AKCMAAAAAAAAAAAAAAAA", secret)) {
            assertThatThrownBy(() -> wrongSecret.listFunctions()).isInstanceOfSatisfying(LambdaException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
                assertThat(e.awsErrorDetails().errorMessage()).contains("signature we calculated does not match");
            });
            assertThatThrownBy(() -> unknownKey.listFunctions()).isInstanceOfSatisfying(LambdaException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
                assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The security token included in the request is invalid.");
            });
        }
    }

    @Test
    void anExpiredDateOrNoSignatureIsA403InLambdasShape() {
        HttpResponse<String> expired = node.exchange(signed("GET", "/2015-03-31/functions/", Instant.now().minus(Duration.ofMinutes(20))));
        assertLambdaError(expired, 403, "InvalidSignatureException", "Signature expired");

        HttpResponse<String> fine = node.exchange(signed("GET", "/2015-03-31/functions/", Instant.now()));
        assertThat(fine.statusCode()).isEqualTo(200);
        assertThat(TestNode.json(fine).has("Functions")).isTrue();

        HttpResponse<String> unsigned = node.exchange(HttpRequest.newBuilder(node.url("/2015-03-31/functions/")).GET().build());
        assertLambdaError(unsigned, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");

        HttpResponse<String> rootToken = node.send("GET", "/2015-03-31/functions/", null);
        assertLambdaError(rootToken, 403, "IncompleteSignatureException", null);
    }

    @Test
    void keysAreManagedWithTheRootTokenAndADeletedKeyStopsWorking() {
        assertThat(node.send("POST", "/v1/keys", "", null).statusCode()).isEqualTo(401);
        HttpResponse<String> created = node.send("POST", "/v1/keys", "");
        assertThat(created.statusCode()).isEqualTo(201);
        String id = TestNode.json(created).get("accessKeyId").asText();
        String key = TestNode.json(created).get("secretAccessKey").asText();
        assertThat(node.send("POST", "/v1/keys", "{\"nope\":1}").statusCode()).isEqualTo(400);

        JsonNode listed = TestNode.json(node.send("GET", "/v1/keys", null)).get("keys");
        assertThat(listed.toString()).contains(id).doesNotContain(key).doesNotContain("secret");
        try (LambdaClient client = client(id, key)) {
            assertThat(client.listFunctions().sdkHttpResponse().statusCode()).isEqualTo(200);
            assertThat(node.send("DELETE", "/v1/keys/" + id, null).statusCode()).isEqualTo(204);
            assertThat(node.send("DELETE", "/v1/keys/" + id, null).statusCode()).isEqualTo(404);
            assertThatThrownBy(client::listFunctions).isInstanceOfSatisfying(LambdaException.class,
                    e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException"));
        }
    }

    // ---- helpers

    static void assertLambdaError(HttpResponse<String> response, int status, String type, String messagePart) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("x-amzn-ErrorType")).contains(type);
        JsonNode body = TestNode.json(response);
        assertThat(body.get("message").isTextual()).isTrue();
        if (messagePart != null) {
            assertThat(body.get("message").asText()).contains(messagePart);
        }
    }

    /** A GET signed by the SDK's signer at {@code at}, sent by a plain HTTP client. */
    static HttpRequest signed(String method, String path, Instant at) {
        URI uri = node.url(path);
        SdkHttpRequest request = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(accessKeyId, secret))
                .request(SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri).build())
                .payload(ContentStreamProvider.fromByteArray(new byte[0]))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "lambda")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))).request();
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
        request.forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        return builder.build();
    }

    static void deploy(String name, String handler, byte[] zip) {
        lambda.createFunction(r -> r.functionName(name).runtime("java25").handler(handler)
                .role("arn:aws:iam::000000000000:role/x").code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    }

    static JsonNode json(InvokeResponse response) throws IOException {
        return TestNode.JSON.readTree(response.payload().asByteArray());
    }

    static String greeting(InvokeResponse response) {
        try {
            return json(response).get("greeting").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String base64Sha256(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The test functions' classes in a zip, as a user would package a handler; with
     * {@code replacement} (class file bytes by entry name) swapped in for new code.
     */
    static byte[] zipOfTestFunctions(Map<String, byte[]> replacement) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(TestNode.TEST_FUNCTIONS));
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                if (entry.isDirectory() || !entry.getName().endsWith(".class")) {
                    continue;
                }
                byte[] bytes = in.readAllBytes();
                if (replacement != null && replacement.containsKey(entry.getName())) {
                    bytes = replacement.get(entry.getName());
                }
                zip.putNextEntry(new ZipEntry(entry.getName()));
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** A Hello that says "Hi": new code for the same handler, compiled here. */
    static Map<String, byte[]> compileHi(Path work) throws Exception {
        Path source = Files.createDirectories(work.resolve("src/dev/cumulus/testfn")).resolve("Hello.java");
        Files.writeString(source, """
                package dev.cumulus.testfn;

                import dev.cumulus.function.Context;
                import dev.cumulus.function.RequestHandler;
                import java.util.Map;

                public class Hello implements RequestHandler<Map<String, Object>, Map<String, Object>> {
                    @Override
                    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
                        Object name = input == null ? null : input.get("name");
                        context.logger().log("greeting " + name);
                        return Map.of("greeting", "Hi, " + name + "!");
                    }
                }
                """);
        Path classes = Files.createDirectories(work.resolve("classes"));
        String api = Path.of(dev.cumulus.function.Context.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, "--release", "25", "-cp", api, "-d", classes.toString(), source.toString());
        assertThat(status).isZero();
        try (InputStream in = Files.newInputStream(classes.resolve("dev/cumulus/testfn/Hello.class"))) {
            return Map.of("dev/cumulus/testfn/Hello.class", in.readAllBytes());
        }
    }
}
