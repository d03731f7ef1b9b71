package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's AWS CLI ({@code apt-get install awscli}, which .ci/run installs) deploys, updates,
 * aliases, sets concurrency and URL config, tags and deletes a function on a real node, and
 * gets Lambda's error shape for what the node does not serve.
 */
class AwsCliTest {
    /** Debian's package puts it here; another {@code aws} earlier on PATH would test something else. */
    static final String AWS = "/usr/bin/aws";

    @TempDir
    static Path dir;

    static TestNode node;
    static Map<String, String> credentials;

    /** What one CLI run printed and how it ended. */
    record Run(int exitCode, String stdout, String stderr) {
        JsonNode json() throws IOException {
            return TestNode.JSON.readTree(stdout);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dir.resolve("node"), c -> c);
        JsonNode key = TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"cli\"}"));
        credentials = Map.of("AWS_ACCESS_KEY_ID", key.get("accessKeyId").asText(),
                "AWS_SECRET_ACCESS_KEY", key.get("secretAccessKey").asText());
        Files.write(dir.resolve("hello.zip"), LambdaApiTest.zipOfTestFunctions(null));
        Files.write(dir.resolve("hi.zip"), LambdaApiTest.zipOfTestFunctions(LambdaApiTest.compileHi(dir.resolve("hi"))));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void deploysUpdatesAliasesConfiguresTagsAndDeletesAFunction() throws Exception {
        Run created = ok("create-function", "--function-name", "cli-fn", "--runtime", "java21", "--handler",
                LambdaApiTest.HELLO, "--role", "arn:aws:iam::123456789012:role/cli", "--description", "from the CLI",
                "--zip-file", "fileb://" + dir.resolve("hello.zip"), "--tags", "team=core");
        assertThat(created.json().get("Runtime").asText()).isEqualTo("java21");
        assertThat(created.json().get("Description").asText()).isEqualTo("from the CLI");
        ok("wait", "function-active", "--function-name", "cli-fn");

        Run updated = ok("update-function-code", "--function-name", "cli-fn", "--zip-file",
                "fileb://" + dir.resolve("hi.zip"), "--publish");
        assertThat(updated.json().get("Version").asText()).isEqualTo("1");
        assertThat(ok("create-alias", "--function-name", "cli-fn", "--name", "live", "--function-version", "1")
                .json().get("AliasArn").asText()).endsWith(":function:cli-fn:live");

        ok("put-function-concurrency", "--function-name", "cli-fn", "--reserved-concurrent-executions", "3");
        assertThat(ok("get-function-concurrency", "--function-name", "cli-fn").json()
                .get("ReservedConcurrentExecutions").asInt()).isEqualTo(3);
        assertThat(TestNode.json(node.send("GET", "/v1/functions/cli-fn", null)).get("maxInstances").asInt()).isEqualTo(3);

        Run url = ok("create-function-url-config", "--function-name", "cli-fn", "--auth-type", "NONE");
        assertThat(url.json().get("FunctionUrl").asText()).isEqualTo(node.url("/fn/cli-fn/").toString());
        assertThat(TestNode.json(node.send("GET", "/v1/functions/cli-fn", null)).get("public").asBoolean()).isTrue();

        String arn = created.json().get("FunctionArn").asText();
        ok("tag-resource", "--resource", arn, "--tags", "owner=ada");
        ok("untag-resource", "--resource", arn, "--tag-keys", "team");
        assertThat(ok("list-tags", "--resource", arn).json().get("Tags").toString()).isEqualTo("{\"owner\":\"ada\"}");

        Run answer = ok("invoke", "--function-name", "cli-fn:live", "--cli-binary-format", "raw-in-base64-out", "--payload", "{\"name\":\"Bo\"}",
                dir.resolve("out.json").toString());
        assertThat(answer.json().get("ExecutedVersion").asText()).isEqualTo("1");
        assertThat(Files.readString(dir.resolve("out.json"))).contains("Hi, Bo!");

        ok("delete-function", "--function-name", "cli-fn");
        Run gone = aws("get-function", "--function-name", "cli-fn");
        assertThat(gone.exitCode()).isNotZero();
        assertThat(gone.stderr()).contains("ResourceNotFoundException");
    }

    @Test
    void anUnknownOperationIsAnAwsShapedError() throws Exception {
        Run unknown = aws("get-function-event-invoke-config", "--function-name", "anything");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.stderr()).contains("(UnknownOperationException)")
                .contains("docs/lambda-compatibility.md");
        Run layers = aws("list-layers");
        assertThat(layers.stderr()).contains("(UnknownOperationException)");
    }

    private static Run ok(String... args) throws Exception {
        Run run = aws(args);
        assertThat(run.exitCode()).as("aws lambda %s: %s", String.join(" ", args), run.stderr()).isZero();
        return run;
    }

    private static Run aws(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(AWS, "--endpoint-url", node.url("/").toString().replaceAll("/$", ""),
                "--output", "json", "lambda"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
        builder.environment().putAll(credentials);
        builder.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        builder.environment().put("AWS_PAGER", "");
        builder.environment().put("AWS_CONFIG_FILE", dir.resolve("no-config").toString());
        builder.environment().put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-credentials").toString());
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("aws finished").isTrue();
        return new Run(process.exitValue(), Files.readString(dir.resolve("stdout"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8));
    }
}
