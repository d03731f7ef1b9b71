package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code provided} functions on a real node in the bwrap sandbox: a shell bootstrap with curl, a
 * Python one and the official AWS Lambda Java runtime interface client, each talking to the
 * Runtime API through the relay inside its sandbox.
 */
class ProvidedRuntimeTest {
    private static final int TIMEOUT_SECONDS = 30;

    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c);
        Map<String, Object> settings = Map.of("timeoutSeconds", TIMEOUT_SECONDS);
        ProvidedFunctions.deploy(node, "sh-fn", "shell", "echo.handler", settings);
        ProvidedFunctions.deploy(node, "sh-other", "shell", "echo.handler", settings);
        ProvidedFunctions.deploy(node, "py-fn", "python", "main.handler", settings);
        ProvidedFunctions.deploy(node, "py-init", "python", "main.handler", Map.of("environment", Map.of("FAIL_INIT", "1")));
        ProvidedFunctions.deploy(node, "ric-fn", "ric", "dev.cumulus.testprovided.Greeter::handleRequest",
                Map.of("memoryMb", 512, "timeoutSeconds", TIMEOUT_SECONDS));
        ProvidedFunctions.deploy(node, "ric-throws", "ric", "dev.cumulus.testprovided.Thrower::handleRequest",
                Map.of("memoryMb", 512));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void instancesRunInTheRealSandbox() {
        assertThat(node.platform.sandbox().isolated()).as("these tests need bubblewrap; run `cumulus doctor`").isTrue();
    }

    @Test
    void shellBootstrapEchoesItsDeadlineAndSeesTheLambdaEnvironment() {
        long stemCellHits = node.platform.scheduler().stemCellHits();
        long before = System.currentTimeMillis();
        HttpResponse<String> response = node.invoke("sh-fn", Map.of("name", "x"));
        long after = System.currentTimeMillis();

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Cumulus-Function-Error")).isEmpty();
        JsonNode body = TestNode.json(response);
        assertThat(body.get("runtime").asText()).isEqualTo("shell");
        assertThat(body.get("deadlineMs").asLong()).isBetween(before + TIMEOUT_SECONDS * 1000L, after + TIMEOUT_SECONDS * 1000L);
        assertThat(body.get("requestId").asText()).isEqualTo(response.headers().firstValue("X-Cumulus-Request-Id").orElseThrow());
        assertThat(body.get("cwd").asText()).isEqualTo("/var/task");
        assertThat(body.get("taskRoot").asText()).isEqualTo("/var/task");
        assertThat(body.get("handler").asText()).isEqualTo("echo.handler");
        assertThat(body.get("functionName").asText()).isEqualTo("sh-fn");
        assertThat(body.get("functionVersion").asText()).isNotBlank();
        assertThat(body.get("memorySize").asText()).isEqualTo("256");
        assertThat(body.get("logGroup").asText()).isEqualTo("/aws/lambda/sh-fn");
        assertThat(body.get("region").asText()).isEqualTo("us-east-1");
        assertThat(body.get("tz").asText()).isEqualTo(":UTC");
        assertThat(node.platform.scheduler().stemCellHits()).as("provided functions never take a Java stem cell")
                .isEqualTo(stemCellHits);
    }

    @Test
    void shellBootstrapReportsErrorsAndKeepsServing() {
        node.invoke("sh-fn", Map.of("warm", true));

        HttpResponse<String> failed = node.invoke("sh-fn", Map.of("fail", true));
        HttpResponse<String> next = node.invoke("sh-fn", Map.of("after", "failure"));

        assertThat(failed.headers().firstValue("X-Cumulus-Function-Error")).hasValue("Unhandled");
        JsonNode error = TestNode.json(failed);
        assertThat(error.get("errorType").asText()).isEqualTo("Shell.Failure");
        assertThat(error.get("errorMessage").asText()).isEqualTo("asked to fail");
        assertThat(next.headers().firstValue("X-Cumulus-Function-Error")).isEmpty();
        assertThat(next.headers().firstValue("X-Cumulus-Cold-Start")).hasValue("false");
    }

    @Test
    void eachInstanceHasItsOwnTmp() {
        String own = TestNode.json(node.invoke("sh-fn", Map.of("look", "tmp"))).get("tmp").asText();
        String other = TestNode.json(node.invoke("sh-other", Map.of("look", "tmp"))).get("tmp").asText();

        assertThat(List.of(own.split(" "))).contains("mine-sh-fn").doesNotContain("mine-sh-other");
        assertThat(List.of(other.split(" "))).contains("mine-sh-other").doesNotContain("mine-sh-fn");
    }

    @Test
    void pythonBootstrapEchoesItsDeadlineAndTheInvocationHeaders() {
        long before = System.currentTimeMillis();
        HttpResponse<String> response = node.invoke("py-fn", Map.of("name", "py"));
        long after = System.currentTimeMillis();

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = TestNode.json(response);
        assertThat(body.get("runtime").asText()).isEqualTo("python");
        assertThat(body.get("deadlineMs").asLong()).isBetween(before + TIMEOUT_SECONDS * 1000L, after + TIMEOUT_SECONDS * 1000L);
        assertThat(body.get("arn").asText()).contains("py-fn");
        assertThat(body.get("traceId").asText()).isNotBlank();
        assertThat(body.get("contentType").asText()).isEqualTo("application/json");
    }

    @Test
    void pythonBootstrapReportsErrors() {
        HttpResponse<String> failed = node.invoke("py-fn", Map.of("fail", true));

        assertThat(failed.headers().firstValue("X-Cumulus-Function-Error")).hasValue("Unhandled");
        JsonNode error = TestNode.json(failed);
        assertThat(error.get("errorType").asText()).isEqualTo("Python.Failure");
        assertThat(error.get("errorMessage").asText()).isEqualTo("asked to fail");
    }

    @Test
    void pythonBootstrapStreamsItsResponse() {
        HttpResponse<String> response = node.invoke("py-fn", Map.of("stream", List.of("{\"parts\":", "[1,2,", "3]}")));

        assertThat(response.headers().firstValue("X-Cumulus-Function-Error")).isEmpty();
        assertThat(response.body()).isEqualTo("{\"parts\":[1,2,3]}");
    }

    @Test
    void initErrorOfABootstrapFailsTheInvocationWithItsDocument() {
        HttpResponse<String> response = node.invoke("py-init", Map.of());

        assertThat(response.headers().firstValue("X-Cumulus-Function-Error")).hasValue("Unhandled");
        JsonNode error = TestNode.json(response);
        assertThat(error.get("errorType").asText()).isEqualTo("Python.InitFailure");
        assertThat(error.get("errorMessage").asText()).isEqualTo("init failed on purpose");
    }

    @Test
    void officialJavaRuntimeInterfaceClientRunsARequestHandler() {
        HttpResponse<String> response = node.invoke("ric-fn", Map.of("name", "world"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Cumulus-Function-Error")).as(response.body()).isEmpty();
        assertThat(TestNode.json(response).asText()).isEqualTo("hello world from ric-fn before the deadline");

        HttpResponse<String> warm = node.invoke("ric-fn", Map.of("name", "again"));
        assertThat(warm.headers().firstValue("X-Cumulus-Cold-Start")).as("the client keeps polling").hasValue("false");
        assertThat(TestNode.json(warm).asText()).isEqualTo("hello again from ric-fn before the deadline");
    }

    @Test
    void officialJavaRuntimeInterfaceClientReportsAThrowingHandlerAsLambdaDoes() {
        HttpResponse<String> response = node.invoke("ric-throws", Map.of("name", "world"));

        assertThat(response.headers().firstValue("X-Cumulus-Function-Error")).as(response.body()).hasValue("Unhandled");
        JsonNode error = TestNode.json(response);
        assertThat(error.get("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(error.get("errorMessage").asText()).isEqualTo("thrown on purpose: world");
        assertThat(error.get("stackTrace").isArray()).isTrue();
        assertThat(error.get("stackTrace").size()).isPositive();
        assertThat(error.get("stackTrace").get(0).asText()).contains("Thrower");
    }

    @Test
    void deployingAProvidedFunctionWithoutBootstrapIsRefused() {
        HttpResponse<String> response = node.send("PUT", "/v1/functions/no-bootstrap", TestNode.write(Map.of(
                "runtime", "provided", "handler", "x", "codeSha256", node.testFunctionsCode())));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(TestNode.json(response).get("error").asText()).isEqualTo("MissingBootstrap");
        assertThat(TestNode.json(response).get("message").asText()).contains("bootstrap");
    }
}
