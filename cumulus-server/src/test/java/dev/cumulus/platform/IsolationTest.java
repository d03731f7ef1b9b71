package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A function cannot reach other functions' code, the node's data or the node's port. */
class IsolationTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c);
        node.deploy("snoop", "dev.cumulus.testfn.Snoop", Map.of());
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void theNodeRunsInstancesInARealSandbox() {
        assertThat(node.platform.sandbox().isolated())
                .as("these tests need bubblewrap; run `cumulus doctor`").isTrue();
    }

    @Test
    void cannotReadTheRootTokenOrTheDataDir() {
        Path token = dataDir.resolve("root-token").toAbsolutePath();
        assertThat(Files.exists(token)).isTrue();
        assertDenied(snoop(Map.of("read", token.toString())));
        assertDenied(snoop(Map.of("list", dataDir.toAbsolutePath().toString())));
        assertDenied(snoop(Map.of("read", "/etc/shadow")));
    }

    @Test
    void cannotReadAnotherFunctionsCode() throws IOException {
        Path otherCode;
        try (var dirs = Files.list(dataDir.resolve("code").resolve("unpacked"))) {
            otherCode = dirs.findFirst().orElseThrow();
        }
        assertDenied(snoop(Map.of("list", otherCode.toAbsolutePath().toString())));
        JsonNode own = snoop(Map.of("list", "/var/task/dev/cumulus/testfn"));
        assertThat(own.get("ok").asBoolean()).as("its own code is readable at /var/task").isTrue();
        assertDenied(snoop(Map.of("write", "/var/task/planted.txt")));
    }

    @Test
    void cannotConnectToTheNodesPort() {
        int port = node.platform.url().getPort();
        assertDenied(snoop(Map.of("connect", "127.0.0.1:" + port)));
    }

    @Test
    void tmpIsPrivateToEachFunction() {
        node.deploy("snoop-other", "dev.cumulus.testfn.Snoop", Map.of());
        assertThat(snoop(Map.of("write", "/tmp/secret.txt")).get("ok").asBoolean()).isTrue();
        JsonNode other = TestNode.json(node.invoke("snoop-other", Map.of("list", "/tmp")));
        assertThat(other.get("entries")).noneMatch(e -> e.asText().equals("secret.txt"));
    }

    @Test
    void environmentHoldsOnlyWhatThePlatformGave() {
        JsonNode env = snoop(Map.of("env", true)).get("env");
        assertThat(env.get("AWS_LAMBDA_FUNCTION_NAME").asText()).isEqualTo("snoop");
        assertThat(env.get("_HANDLER").asText()).isEqualTo("dev.cumulus.testfn.Snoop");
        assertThat(env.get("LAMBDA_TASK_ROOT").asText()).isEqualTo("/var/task");
        assertThat(env.has("JAVA_HOME")).as("the node's own environment does not leak").isFalse();
        assertThat(env.has("MAVEN_OPTS")).isFalse();
    }

    private static JsonNode snoop(Map<String, Object> what) {
        return TestNode.json(node.invoke("snoop", what));
    }

    private static void assertDenied(JsonNode result) {
        assertThat(result.get("ok").asBoolean()).as(result.toString()).isFalse();
    }
}
