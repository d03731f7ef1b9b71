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
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code cumulus sources add|ls|disable|enable|rm} against a real node and the local Mosquitto. */
class SourcesCliTest {
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
        Files.copy(Path.of(System.getProperty("cumulus.testfn.jar")), cwd.resolve("functions.jar"));
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
    void addListDisableEnableRemove() {
        String topic = "cumulus-cli-it/" + UUID.randomUUID() + "/+";
        assertThat(run("deploy", "sink", "--code", "functions.jar", "--handler", "dev.cumulus.testfn.Records"))
                .as(err()).isZero();
        assertThat(run("sources", "add", "sensors", "--function", "sink", "--type", "mqtt",
                "--url", "mqtt://127.0.0.1:1883", "--topic", topic, "--batch-size", "20", "--batch-window-ms", "100",
                "--ordered", "--max-retries", "2", "--on-failure", "function:sink")).as(err()).isZero();
        assertThat(out()).startsWith("added source sensors: topic " + topic + " -> sink (");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(run("sources", "ls")).isZero();
            assertThat(out()).containsPattern("sensors\\s+mqtt\\s+topic \\S+\\s+sink\\s+connected\\s+0\\s+0\\s+0\\s+-");
        });

        assertThat(run("sources", "disable", "sensors")).isZero();
        assertThat(out()).isEqualTo("source sensors: disabled\n");
        assertThat(run("sources", "enable", "sensors")).isZero();
        assertThat(out()).startsWith("source sensors: ");

        assertThat(run("sources", "add", "bad", "--function", "sink", "--type", "mqtt", "--url", "mqtt://127.0.0.1:1883",
                "--topic", "t", "--batch-size", "500")).isEqualTo(1);
        assertThat(err()).contains("'batchSize' must be an integer from 1 to 100").contains("HTTP 400");

        assertThat(run("sources", "rm", "sensors")).isZero();
        assertThat(out()).isEqualTo("removed source sensors\n");
        assertThat(run("sources", "ls")).isZero();
        assertThat(err()).isEqualTo("no sources\n");
    }

    @Test
    void addNeedsATargetAndKnownType() {
        Cli cli = new Cli(new PrintStream(out), new PrintStream(err), Map.of());
        CommandLine.ParseResult parsed = cli.commandLine().parseArgs("sources", "add", "s", "--function", "f",
                "--type", "nats", "--url", "nats://h:4222", "--stream", "S", "--subject", "s.>");
        SourcesCommand.Add add = (SourcesCommand.Add) parsed.subcommand().subcommand().commandSpec().userObject();
        assertThat(add.body()).containsEntry("stream", "S").containsEntry("subject", "s.>").containsEntry("type", "nats")
                .doesNotContainKeys("topic", "queue", "ordered", "batchSize");
        assertThat(run("sources", "add", "s", "--function", "f", "--type", "mqtt", "--url", "mqtt://h")).isEqualTo(2);
        assertThat(run("sources", "add", "s", "--function", "f", "--type", "kafka", "--url", "x", "--topic", "t"))
                .isEqualTo(2);
    }
}
