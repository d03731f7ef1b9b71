package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code provided} functions on a node without isolation (sandbox mode {@code none-i-trust-all-code}): the
 * bootstrap reaches the Runtime API on a loopback port of the node instead of a relay, and the
 * node's region setting reaches the instance.
 */
class ProvidedPlainProcessTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c.withSandbox(dev.cumulus.sandbox.Sandboxes.NO_ISOLATION).withRegion("eu-west-1"));
        ProvidedFunctions.deploy(node, "plain-sh", "shell", "echo.handler", Map.of());
        ProvidedFunctions.deploy(node, "plain-py", "python", "main.handler", Map.of());
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void shellBootstrapRunsAsAPlainProcessOverLoopback() {
        HttpResponse<String> response = node.invoke("plain-sh", Map.of("name", "x"));

        assertThat(node.platform.sandbox().isolated()).isFalse();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = TestNode.json(response);
        assertThat(body.get("region").asText()).isEqualTo("eu-west-1");
        assertThat(body.get("cwd").asText()).isEqualTo(body.get("taskRoot").asText());
        assertThat(body.get("tmp").asText()).contains("mine-plain-sh");
        assertThat(body.get("deadlineMs").asLong()).isGreaterThan(System.currentTimeMillis());
    }

    @Test
    void pythonBootstrapReportsErrorsAsAPlainProcess() {
        HttpResponse<String> failed = node.invoke("plain-py", Map.of("fail", true));

        assertThat(failed.headers().firstValue("X-Cumulus-Function-Error")).hasValue("Unhandled");
        assertThat(TestNode.json(failed).get("errorType").asText()).isEqualTo("Python.Failure");
    }
}
