package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cumulus.platform.Platform;
import dev.cumulus.platform.PlatformConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code invoke --async} and {@code invocations} against a real node. */
class AsyncCommandsTest {
    static final Path FUNCTIONS = Path.of(System.getProperty("cumulus.testfn.jar"));
    static final Pattern REQUEST_ID = Pattern.compile("\"requestId\":\"([0-9a-f-]{36})\"");

    @TempDir
    static Path dataDir;

    @TempDir
    static Path cwd;

    static Platform node;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException {
        node = Platform.start(PlatformConfig.defaults().withPort(0).withDataDir(dataDir)
                .withAotDir(Path.of("target", "test-aot").toAbsolutePath()));
        Files.copy(FUNCTIONS, cwd.resolve("functions.jar"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return new Cli(new PrintStream(out, true), new PrintStream(err, true),
                Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN", node.rootToken()))
                .withCwd(cwd).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void invokeAsyncQueuesAndInvocationsShowsTheOutcome() {
        assertThat(run("deploy", "greeter", "--code", "functions.jar", "--handler", "dev.cumulus.testfn.Hello"))
                .as(err()).isZero();

        assertThat(run("invoke", "greeter", "--async", "--data", "{\"name\":\"Ada\"}", "--idempotency-key", "k1"))
                .as(err()).isZero();
        Matcher m = REQUEST_ID.matcher(out());
        assertThat(m.find()).as(out()).isTrue();
        String id = m.group(1);
        assertThat(out()).contains("\"duplicate\":false");
        assertThat(err()).isEqualTo("queued: request-id " + id + "\n");

        assertThat(run("invoke", "greeter", "--async", "--data", "{\"name\":\"Ada\"}", "--idempotency-key", "k1"))
                .isZero();
        assertThat(out()).contains("\"requestId\":\"" + id + "\"", "\"duplicate\":true");
        assertThat(err()).contains("duplicate");

        await().atMost(Duration.ofMinutes(1)).until(() -> run("invocations", "greeter") == 0
                && out().lines().anyMatch(l -> l.startsWith(id) && l.contains("succeeded")));
        assertThat(out().lines().findFirst().orElseThrow()).matches("REQUEST ID +STATE +ATTEMPTS +ACCEPTED +ERROR");
        assertThat(out()).containsPattern("(?m)^" + id + " +succeeded +1 +\\S+ +-$");

        assertThat(run("invocations", "greeter", id)).as(err()).isZero();
        assertThat(out()).contains("request-id  " + id, "state       succeeded", "key         k1", "\"type\":\"dev.cumulus.function.invoke\"");
        assertThat(out()).containsPattern("(?m)^1\\s+\\S+\\s+\\S+\\s+succeeded");

        assertThat(run("invocations", "greeter", "--state", "failed")).isZero();
        assertThat(err()).startsWith("no asynchronous invocations of greeter in state failed");
    }

    @Test
    void badAsyncUseIsOneClearLine() {
        assertThat(run("invoke", "greeter", "--idempotency-key", "k")).isEqualTo(2);
        assertThat(err()).isEqualTo("error: --idempotency-key needs --async\n");
        assertThat(run("invoke", "ghost", "--async")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: function ghost does not exist (HTTP 404 NotFound)\n");
        assertThat(run("invocations", "ghost")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: function ghost does not exist (HTTP 404 NotFound)\n");
        assertThat(run("invocations", "ghost", "--limit", "0")).isEqualTo(2);
        assertThat(err()).isEqualTo("error: --limit must be 1..1000, not 0\n");
    }
}
