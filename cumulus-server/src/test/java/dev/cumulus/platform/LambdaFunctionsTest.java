package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Handlers written for AWS Lambda (module cumulus-test-lambda: compiled against
 * aws-lambda-java-core and -events, shipped as one fat jar) deployed unchanged on a real node.
 */
class LambdaFunctionsTest {
    static final Path LAMBDA_JAR = Path.of(System.getProperty("cumulus.testlambda.jar"));
    private static final byte[] PIXEL = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};

    @TempDir
    static Path dataDir;

    static TestNode node;
    static String lambdaCode;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c);
        lambdaCode = node.upload(LAMBDA_JAR);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static JsonNode deploy(String name, String handler, Map<String, Object> settings) {
        return node.deploy(name, handler, settings, lambdaCode);
    }

    @Test
    void mapToStringRequestHandler() {
        deploy("greeting", "dev.cumulus.testlambda.Greeting", Map.of());
        HttpResponse<String> response = node.invoke("greeting", Map.of("name", "Ada"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Cumulus-Function-Error")).isEmpty();
        assertThat(response.body()).isEqualTo("\"Hello, Ada!\"");
        String requestId = response.headers().firstValue("X-Cumulus-Request-Id").orElseThrow();
        // LambdaLogger lines land in the function's log, tagged with the invocation
        await().atMost(Duration.ofSeconds(10)).until(() -> node.send("GET", "/v1/functions/greeting/logs?limit=50", null)
                .body().contains("greeting Ada in " + requestId));
    }

    @Test
    void pojoRequestHandlerSeesTheLambdaContext() {
        deploy("orders", "dev.cumulus.testlambda.OrderHandler", Map.of("memoryMb", 256));
        HttpResponse<String> response = node.invoke("orders", Map.of("customer", "Ada", "express", true,
                "lines", List.of(Map.of("sku", "A-1", "quantity", 2, "price", 1.5),
                        Map.of("sku", "B-2", "quantity", 1, "price", 10.0))));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode receipt = TestNode.json(response);
        assertThat(receipt.get("customer").asText()).isEqualTo("Ada");
        assertThat(receipt.get("total").asDouble()).isEqualTo(13.0);
        assertThat(receipt.get("items").asInt()).isEqualTo(3);
        assertThat(receipt.get("express").asBoolean()).isTrue();
        JsonNode context = receipt.get("context");
        assertThat(context.get("awsRequestId").asText())
                .isEqualTo(response.headers().firstValue("X-Cumulus-Request-Id").orElseThrow());
        assertThat(context.get("functionName").asText()).isEqualTo("orders");
        assertThat(context.get("functionVersion").asText()).isEqualTo("$LATEST");
        assertThat(context.get("invokedFunctionArn").asText()).isEqualTo("arn:aws:lambda:us-east-1:984327297149:function:orders:$LATEST");
        assertThat(context.get("memoryLimitInMB").asInt()).isEqualTo(256);
        assertThat(context.get("remainingTimeInMillis").asInt()).isPositive();
        assertThat(context.get("logGroupName").asText()).isEqualTo("/aws/lambda/orders");
        assertThat(context.get("logStreamName").asText()).matches("\\d{4}/\\d{2}/\\d{2}/\\[\\$LATEST][0-9a-f]{32}");
        // no Cognito identity or client context on a plain invoke: null, and Lambda leaves nulls out
        assertThat(context.has("identity")).isFalse();
        assertThat(context.has("clientContext")).isFalse();
    }

    @Test
    void requestStreamHandlerGetsTheRawEvent() {
        deploy("shout", "dev.cumulus.testlambda.Shout", Map.of());
        HttpResponse<String> response = node.send("POST", "/v1/functions/shout/invoke", "{\"say\":\"hello\"}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"SAY\":\"HELLO\"}");
    }

    @Test
    void classMethodHandlerWithALambdaContext() {
        deploy("plain", "dev.cumulus.testlambda.Plain::describe", Map.of());
        JsonNode body = TestNode.json(node.invoke("plain", Map.of("x", 1)));
        assertThat(body.at("/event/x").asInt()).isEqualTo(1);
        assertThat(body.at("/context/functionName").asText()).isEqualTo("plain");
    }

    @Test
    void scheduledEventBindsWithItsJodaTimeAndDetailType() {
        deploy("nightly", "dev.cumulus.testlambda.Scheduled", Map.of());
        JsonNode body = TestNode.json(node.send("POST", "/v1/functions/nightly/invoke", """
                {"version":"0","id":"53dc4d37","detail-type":"Scheduled Event","source":"aws.events",
                 "account":"123456789012","time":"2026-11-27T05:00:00Z","region":"local",
                 "resources":["arn:aws:events:local:123456789012:rule/nightly"],"detail":{}}"""));
        assertThat(body.get("detailType").asText()).isEqualTo("Scheduled Event");
        assertThat(body.get("source").asText()).isEqualTo("aws.events");
        assertThat(body.get("epochMillis").asLong()).isEqualTo(java.time.Instant.parse("2026-11-27T05:00:00Z").toEpochMilli());
        assertThat(body.get("resources").get(0).asText()).endsWith("rule/nightly");
    }

    @Test
    void aThrowingHandlerAnswersWithLambdasErrorDocument() {
        deploy("failing", "dev.cumulus.testlambda.Failing", Map.of());
        HttpResponse<String> response = node.invoke("failing", Map.of("count", "seven"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Cumulus-Function-Error")).hasValue("Unhandled");
        JsonNode error = TestNode.json(response);
        assertThat(error.get("errorMessage").asText()).isEqualTo("bad count: seven");
        assertThat(error.get("errorType").asText()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(error.get("stackTrace").isArray()).isTrue();
        assertThat(error.get("stackTrace").get(0).asText()).startsWith("at dev.cumulus.testlambda.Failing.check(Failing.java:");
        assertThat(error.get("stackTrace").toString()).doesNotContain("dev.cumulus.runtime");
        assertThat(error.at("/cause/errorType").asText()).isEqualTo("java.lang.NumberFormatException");
    }

    @Test
    void httpApiHandlerServesABrowserThroughItsFunctionUrl() {
        deploy("web", "dev.cumulus.testlambda.HttpApi", Map.of("public", true));

        HttpResponse<String> page = node.exchange(HttpRequest.newBuilder(node.url("/fn/web/hello?name=Ada&lang=en-GB"))
                .header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .header("Accept-Language", "en-GB,en;q=0.5")
                .header("Cookie", "visits=2; theme=dark")
                .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0")
                .GET().build());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(page.headers().firstValue("cache-control")).hasValue("no-store");
        // the function's cookies, confined to its own URL (function URLs share one origin)
        assertThat(page.headers().allValues("set-cookie"))
                .containsExactly("visits=3; Path=/fn/web/", "seen=yes; HttpOnly; Path=/fn/web/");
        JsonNode body = TestNode.json(page);
        assertThat(body.get("greeting").asText()).isEqualTo("Hello, Ada");
        assertThat(body.get("lang").asText()).isEqualTo("en-GB");
        assertThat(body.get("cookies")).extracting(JsonNode::asText).containsExactly("visits=2", "theme=dark");
        assertThat(body.get("accept").asText()).isEqualTo("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        assertThat(body.get("sourceIp").asText()).isEqualTo("127.0.0.1");
        assertThat(body.get("rawQueryString").asText()).isEqualTo("name=Ada&lang=en-GB");

        HttpResponse<byte[]> pixel = bytes(HttpRequest.newBuilder(node.url("/fn/web/pixel")).GET().build());
        assertThat(pixel.statusCode()).isEqualTo(200);
        assertThat(pixel.headers().firstValue("content-type")).hasValue("image/png");
        assertThat(pixel.body()).isEqualTo(PIXEL);

        HttpResponse<byte[]> text = bytes(HttpRequest.newBuilder(node.url("/fn/web/echo"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"note\":\"café\"}")).build());
        assertThat(text.statusCode()).isEqualTo(201);
        assertThat(text.headers().firstValue("x-was-base64")).hasValue("false");
        assertThat(text.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(new String(text.body(), StandardCharsets.UTF_8)).isEqualTo("{\"note\":\"café\"}");

        byte[] upload = {0, 1, 2, (byte) 0xFE, (byte) 0xFF, '\n'};
        HttpResponse<byte[]> binary = bytes(HttpRequest.newBuilder(node.url("/fn/web/echo"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build());
        assertThat(binary.statusCode()).isEqualTo(201);
        assertThat(binary.headers().firstValue("x-was-base64")).hasValue("true");
        assertThat(binary.headers().firstValue("x-length")).hasValue("6");
        assertThat(binary.body()).isEqualTo(upload);

        HttpResponse<String> missing = node.exchange(HttpRequest.newBuilder(node.url("/fn/web/nothing")).GET().build());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("content-type")).hasValue("text/plain");
        assertThat(missing.body()).isEqualTo("no route GET /nothing");
    }

    /**
     * Both kinds start cold from a stem cell and answer; the times and the instances' resident
     * memory are printed for the report (a rough comparison, not asserted: this machine is shared).
     */
    @Test
    void lambdaAndNativeHandlersBothStartColdFromAStemCell() throws IOException {
        // the default memory size, for which the node keeps a stem cell from the start
        int memory = node.deploy("native-unpack", "dev.cumulus.testfn.Hello", Map.of()).get("memoryMb").asInt();
        deploy("lambda-unpack", "dev.cumulus.testlambda.Greeting", Map.of());
        // the first start of each code package unpacks it (the Lambda jar holds 1,100 files): reported apart
        Timed nativeUnpack = coldInvoke("native-unpack", memory);
        Timed lambdaUnpack = coldInvoke("lambda-unpack", memory);
        node.deploy("native-cold", "dev.cumulus.testfn.Hello", Map.of());
        deploy("lambda-cold", "dev.cumulus.testlambda.Greeting", Map.of());
        Timed nativeCold = coldInvoke("native-cold", memory);
        Timed lambdaCold = coldInvoke("lambda-cold", memory);

        for (Timed t : List.of(nativeUnpack, lambdaUnpack, nativeCold, lambdaCold)) {
            assertThat(t.response().headers().firstValue("X-Cumulus-Cold-Start")).hasValue("true");
        }
        assertThat(TestNode.json(nativeCold.response()).get("greeting").asText()).isEqualTo("Hello, Ada!");
        assertThat(lambdaCold.response().body()).isEqualTo("\"Hello, Ada!\"");
        System.out.printf("cold start from a stem cell, code unpacked: native handler %d ms (%d kB resident),"
                + " Lambda handler %d ms (%d kB resident); first start of the code, unpacking it: native %d ms,"
                + " Lambda %d ms%n", nativeCold.ms(), residentKb("native-cold"), lambdaCold.ms(),
                residentKb("lambda-cold"), nativeUnpack.ms(), lambdaUnpack.ms());
    }

    private record Timed(HttpResponse<String> response, long ms) {}

    private static Timed coldInvoke(String name, int memory) {
        await().atMost(Duration.ofSeconds(60)).until(() -> node.platform.scheduler().waitingStemCells(memory) == 1);
        long t0 = System.nanoTime();
        HttpResponse<String> response = node.invoke(name, Map.of("name", "Ada"));
        return new Timed(response, (System.nanoTime() - t0) / 1_000_000);
    }

    private static long residentKb(String function) throws IOException {
        long total = 0;
        for (ProcessHandle p : node.processTree(function)) {
            Path status = Path.of("/proc", Long.toString(p.pid()), "status");
            if (Files.exists(status)) {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        total += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            }
        }
        return total;
    }

    private static HttpResponse<byte[]> bytes(HttpRequest request) {
        try {
            return node.http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
