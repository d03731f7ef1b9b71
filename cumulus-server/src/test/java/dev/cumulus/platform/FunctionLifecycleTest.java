package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deploy, invoke, warm reuse, versions, function URLs and bad input, on a real node. */
class FunctionLifecycleTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void helloIsColdThenWarmAndFaster() {
        node.deploy("hello", "dev.cumulus.testfn.Hello", Map.of("memoryMb", 256));

        long t0 = System.nanoTime();
        HttpResponse<String> first = node.invoke("hello", Map.of("name", "Ada"));
        long coldNanos = System.nanoTime() - t0;
        // the stem cell the cold start used is replaced in the background (a JVM start and its
        // warm-up): let that finish, so the warm call is not timed against a machine it loads
        await().atMost(Duration.ofSeconds(30)).until(() -> node.platform.scheduler().waitingStemCells(256) == 1);
        t0 = System.nanoTime();
        HttpResponse<String> second = node.invoke("hello", Map.of("name", "Grace"));
        long warmNanos = System.nanoTime() - t0;

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(TestNode.json(first).get("greeting").asText()).isEqualTo("Hello, Ada!");
        assertThat(first.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("true");
        assertThat(first.headers().firstValue("X-Cumulus-Request-Id")).isPresent();
        assertThat(first.headers().firstValue("X-Cumulus-Billed-Ms")).isPresent();
        assertThat(TestNode.json(first).get("requestId").asText())
                .isEqualTo(first.headers().firstValue("X-Cumulus-Request-Id").orElseThrow());

        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("false");
        assertThat(TestNode.json(second).get("greeting").asText()).isEqualTo("Hello, Grace!");
        assertThat(TestNode.json(second).get("instance").asText())
                .as("the second call reuses the first call's instance")
                .isEqualTo(TestNode.json(first).get("instance").asText());
        assertThat(TestNode.json(second).get("memoryLimitMb").asInt()).isEqualTo(256);
        assertThat(warmNanos).as("a warm call is faster than a cold one").isLessThan(coldNanos);

        JsonNode function = TestNode.json(node.send("GET", "/v1/functions/hello", null));
        assertThat(function.get("instances").get("idle").asInt()).isEqualTo(1);
        assertThat(function.get("instances").get("busy").asInt()).isZero();
    }

    @Test
    void logsAreTaggedWithTheRequestIdAndCanBeFollowed() throws Exception {
        node.deploy("chatty", "dev.cumulus.testfn.Hello", Map.of());
        HttpResponse<String> first = node.invoke("chatty", Map.of("name", "first"));
        String firstId = first.headers().firstValue("X-Cumulus-Request-Id").orElseThrow();

        JsonNode tail = TestNode.JSON.readTree(node.send("GET", "/v1/functions/chatty/logs?limit=50", null)
                .body().lines().filter(l -> l.contains("greeting first")).findFirst().orElseThrow());
        assertThat(tail.get("requestId").asText()).isEqualTo(firstId);
        assertThat(tail.get("line").asText()).endsWith("greeting first");

        var lines = new java.util.concurrent.LinkedBlockingQueue<String>();
        HttpResponse<java.util.stream.Stream<String>> follow = node.http.sendAsync(
                        HttpRequest.newBuilder(node.url("/v1/functions/chatty/logs?follow=true&limit=1"))
                                .header("Authorization", "Bearer " + node.platform.rootToken()).build(),
                        HttpResponse.BodyHandlers.ofLines())
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(follow.statusCode()).isEqualTo(200);
        try (java.util.stream.Stream<String> stream = follow.body()) {
            Thread reader = Thread.ofVirtual().start(() -> stream.forEach(lines::add));
            String secondId = node.invoke("chatty", Map.of("name", "second"))
                    .headers().firstValue("X-Cumulus-Request-Id").orElseThrow();
            JsonNode followed = null;
            for (String line; (line = lines.poll(10, java.util.concurrent.TimeUnit.SECONDS)) != null; ) {
                if (line.contains("greeting second")) {
                    followed = TestNode.JSON.readTree(line);
                    break;
                }
            }
            assertThat(followed).as("the followed stream delivers the new line").isNotNull();
            assertThat(followed.get("requestId").asText()).isEqualTo(secondId);
            reader.interrupt();
        }
    }

    @Test
    void functionErrorAnswers200WithErrorDocument() {
        node.deploy("thrower", "dev.cumulus.testfn.Misbehave", Map.of());
        HttpResponse<String> response = node.invoke("thrower", Map.of("do", "throw"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Cumulus-Function-Error")).hasValue("Unhandled");
        JsonNode error = TestNode.json(response);
        assertThat(error.get("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(error.get("errorMessage").asText()).isEqualTo("boom");
        assertThat(error.get("stackTrace").isArray()).isTrue();

        HttpResponse<String> after = node.invoke("thrower", Map.of("do", "nothing"));
        assertThat(after.headers().firstValue("X-Cumulus-Cold-Start"))
                .as("a function error does not cost the instance").hasValue("false");
        assertThat(after.body()).isEqualTo("\"behaved\"");
    }

    @Test
    void publishedVersionsAreImmutable() {
        node.deploy("versioned", "dev.cumulus.testfn.Snoop", Map.of("environment", Map.of("COLOR", "blue")));
        HttpResponse<String> published = node.send("POST", "/v1/functions/versioned/versions", null);
        assertThat(published.statusCode()).isEqualTo(201);
        assertThat(TestNode.json(published).get("version").asText()).isEqualTo("1");

        node.send("PUT", "/v1/functions/versioned", "{\"environment\":{\"COLOR\":\"green\"}}");

        assertThat(TestNode.json(node.invoke("versioned:1", Map.of("env", true))).at("/env/COLOR").asText())
                .isEqualTo("blue");
        assertThat(TestNode.json(node.invoke("versioned", Map.of("env", true))).at("/env/COLOR").asText())
                .isEqualTo("green");
        assertThat(TestNode.json(node.invoke("versioned:$LATEST", Map.of("env", true))).at("/env/COLOR").asText())
                .isEqualTo("green");
        JsonNode versions = TestNode.json(node.send("GET", "/v1/functions/versioned/versions", null));
        assertThat(versions.get("versions")).hasSize(1);
        assertThat(node.invoke("versioned:7", Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void functionUrlMapsHttpToEventsAndBack() {
        node.deploy("echo", "dev.cumulus.testfn.Echo", Map.of("public", true));
        HttpResponse<String> response = node.exchange(HttpRequest.newBuilder(node.url("/fn/echo/orders/42?x=1&y=two"))
                .header("Content-Type", "application/json")
                .header("X-Custom", "yes")
                .POST(HttpRequest.BodyPublishers.ofString("{\"qty\":3}")).build());
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("x-echo")).hasValue("true");
        JsonNode body = TestNode.json(response);
        assertThat(body.get("method").asText()).isEqualTo("POST");
        assertThat(body.get("rawPath").asText()).isEqualTo("/orders/42");
        assertThat(body.at("/query/y").asText()).isEqualTo("two");
        assertThat(body.at("/headers/x-custom").asText()).isEqualTo("yes");
        assertThat(body.get("body").asText()).isEqualTo("{\"qty\":3}");
        assertThat(body.get("isBase64Encoded").asBoolean()).isFalse();
        assertThat(body.get("requestId").asText()).isEqualTo(response.headers().firstValue("X-Cumulus-Request-Id").orElseThrow());
    }

    @Test
    void privateFunctionUrlNeedsTheTokenAndErrorsHideStackTraces() {
        node.deploy("private-thrower", "dev.cumulus.testfn.Misbehave", Map.of());
        HttpResponse<String> anonymous = node.exchange(HttpRequest.newBuilder(node.url("/fn/private-thrower/"))
                .POST(HttpRequest.BodyPublishers.ofString("throw")).build());
        assertThat(anonymous.statusCode()).isEqualTo(401);

        HttpResponse<String> failed = node.send("POST", "/fn/private-thrower/x", "throw");
        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(TestNode.json(failed).get("error").asText()).isEqualTo("FunctionError");
        assertThat(failed.body()).doesNotContain("stackTrace").doesNotContain("at dev.cumulus");
    }

    @Test
    void healthNeedsNoToken() {
        HttpResponse<String> health = node.send("GET", "/healthz", null, null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(TestNode.json(health).get("status").asText()).isEqualTo("ok");
    }

    @Test
    void missingOrWrongTokenIs401() {
        for (String token : new String[] {null, "wrong"}) {
            HttpResponse<String> response = node.send("GET", "/v1/functions", null, token);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(TestNode.json(response).get("error").asText()).isEqualTo("Unauthorized");
        }
    }

    @Test
    void badInputGetsPrecise4xxAndStoresNothing() throws IOException {
        String code = node.testFunctionsCode();
        assertRefused(node.send("PUT", "/v1/functions/bad%20name",
                "{\"handler\":\"dev.cumulus.testfn.Hello\",\"codeSha256\":\"" + code + "\"}"), 400, "InvalidName");
        assertRefused(node.send("PUT", "/v1/functions/broken", "{\"handler\": "), 400, "MalformedJson");
        assertRefused(node.send("PUT", "/v1/functions/broken", "{\"handler\":\"dev.cumulus.testfn.Hello\"}"),
                400, "MissingCode");
        assertRefused(node.send("PUT", "/v1/functions/broken",
                "{\"handler\":\"dev.cumulus.testfn.Hello\",\"codeSha256\":\"" + "0".repeat(64) + "\"}"),
                400, "UnknownCode");
        assertRefused(node.send("PUT", "/v1/functions/broken",
                "{\"handler\":\"com.example.Nope\",\"codeSha256\":\"" + code + "\"}"), 400, "HandlerNotFound");
        assertRefused(node.send("PUT", "/v1/functions/broken",
                "{\"handler\":\"dev.cumulus.testfn.Hello\",\"runtime\":\"cobol\",\"codeSha256\":\"" + code + "\"}"),
                400, "UnsupportedRuntime");
        assertRefused(node.send("PUT", "/v1/functions/broken",
                "{\"handler\":\"dev.cumulus.testfn.Hello\",\"memoryMb\":64,\"codeSha256\":\"" + code + "\"}"),
                400, "InvalidParameter");
        assertRefused(node.send("PUT", "/v1/functions/broken",
                "{\"handler\":\"dev.cumulus.testfn.Hello\",\"memoryMb\":\"lots\",\"codeSha256\":\"" + code + "\"}"),
                400, "InvalidParameter");
        assertRefused(node.uploadBytes("this is not a zip".getBytes()), 400, "InvalidCode");
        assertRefused(node.uploadBytes(new byte[0]), 400, "InvalidCode");
        assertRefused(node.invoke("nonexistent", Map.of()), 404, "NotFound");
        assertRefused(node.send("POST", "/v1/functions/hello/invoke", "{not json"), 400, "MalformedJson");

        assertThat(node.send("GET", "/v1/functions/broken", null).statusCode()).isEqualTo(404);
        assertThat(node.send("GET", "/v1/functions/bad%20name", null).statusCode()).isIn(400, 404);
    }

    @Test
    void oversizedUploadIs413AndNothingIsKept() throws IOException {
        try (TestNode small = new TestNode(dataDir.resolve("small"), c -> c.withMaxCodeBytes(64 * 1024))) {
            byte[] big = zipOfSize(200 * 1024);
            assertRefused(small.uploadBytes(big), 413, "PayloadTooLarge");
            try (var files = java.nio.file.Files.walk(small.dataDir.resolve("code"))) {
                assertThat(files.filter(java.nio.file.Files::isRegularFile).toList()).isEmpty();
            } catch (java.nio.file.NoSuchFileException none) {
                // no code directory at all: nothing kept either
            }
        }
    }

    @Test
    void httpLevelErrorsAreJsonToo() throws Exception {
        try (java.net.Socket socket = new java.net.Socket(node.url("/").getHost(), node.url("/").getPort())) {
            socket.getOutputStream().write(("GET /v1/functions HTTP/1.1\r\nHost: x\r\nX-Big: "
                    + "a".repeat(40_000) + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 431");
            assertThat(answer).contains("application/json").contains("\"error\":\"HeadersTooLarge\"");
        }
        assertRefused(node.send("GET", "/nowhere", null), 404, "NotFound");
        assertRefused(node.send("DELETE", "/v1/functions", null), 405, "MethodNotAllowed");
    }

    private static byte[] zipOfSize(int bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(0);
            zip.putNextEntry(new ZipEntry("blob.bin"));
            byte[] random = new byte[bytes];
            new java.util.Random(7).nextBytes(random);
            zip.write(random);
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    private static void assertRefused(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
        JsonNode body = TestNode.json(response);
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
    }
}
