package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole commands, run in-process, against a real node running real functions in real sandboxes. */
class CliEndToEndTest extends EndToEnd {
    static final Path FUNCTIONS = Path.of(System.getProperty("cumulus.testfn.jar"));
    static final Pattern REQUEST_ID = Pattern.compile("\"requestId\":\"([0-9a-f-]{36})\"");

    @TempDir
    Path cwd;

    @BeforeEach
    void copyFunctions() throws IOException {
        Files.copy(FUNCTIONS, cwd.resolve("functions.jar"));
    }

    private int run(String... args) {
        return run(cwd, args);
    }

    @Test
    void deployInvokeListLogsUsageAndRemove() {
        assertThat(run("deploy", "greeter", "--code", "functions.jar", "--handler", "dev.cumulus.testfn.Hello",
                "--memory", "512", "--env", "COLOR=blue")).as(err()).isZero();
        assertThat(out()).startsWith("deployed greeter: handler dev.cumulus.testfn.Hello, code ");

        assertThat(run("invoke", "greeter", "--data", "{\"name\":\"Ada\"}")).as(err()).isZero();
        assertThat(out()).contains("\"greeting\":\"Hello, Ada!\"").contains("\"memoryLimitMb\":512");
        assertThat(err()).matches("request-id [0-9a-f-]{36}  cold true  billed \\d+ ms\\n");

        assertThat(run("invoke", "greeter", "--data", "{\"name\":\"Bo\"}")).isZero();
        assertThat(err()).contains("cold false");

        assertThat(run("ls")).isZero();
        assertThat(out()).containsPattern("greeter\\s+java25\\s+dev.cumulus.testfn.Hello\\s+512 MB\\s+1/0");

        assertThat(run("logs", "greeter", "--limit", "10")).isZero();
        assertThat(out()).containsPattern("\\S+ [0-9a-f-]{36} greeting Ada")
                .containsPattern("\\S+ ([0-9a-f-]{36}) REPORT RequestId: \\1\tDuration: [0-9.]+ ms\tBilled Duration: [0-9]+ ms");

        assertThat(run("usage")).isZero();
        assertThat(out()).containsPattern("greeter\\s+2\\s+0\\s+1\\s+\\d+");

        assertThat(run("publish", "greeter")).isZero();
        assertThat(out()).startsWith("published greeter version 1");
        assertThat(run("versions", "greeter")).isZero();
        assertThat(out()).containsPattern("(?m)^1\\s+[0-9a-f]{12}");
        assertThat(run("invoke", "greeter:1")).isZero();

        assertThat(run("rm", "greeter")).as(err()).isZero();
        assertThat(run("invoke", "greeter")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: function greeter does not exist (HTTP 404 NotFound)\n");
    }

    @Test
    void routesAndSchedulesAreManaged() {
        assertThat(run("deploy", "routed", "--code", "functions.jar", "--handler", "dev.cumulus.testfn.EventEcho")).as(err()).isZero();

        assertThat(run("routes", "add", "GET", "/things/{id}", "routed", "--cors-origin", "*", "--rate", "50", "--burst", "100"))
                .as(err()).isZero();
        assertThat(out()).matches("added route r-[0-9a-f]{12}: GET /api/things/\\{id\\} -> routed\\n");
        String id = out().substring("added route ".length(), out().indexOf(':'));
        assertThat(run("routes", "ls")).isZero();
        assertThat(out()).containsPattern(id + "\\s+GET\\s+/api/things/\\{id\\}\\s+routed\\s+2.0\\s+token\\s+\\*\\s+50.0/s burst 100");
        assertThat(run("routes", "add", "GET", "/things/{other}", "routed")).isEqualTo(1);
        assertThat(err()).startsWith("error: route " + id + " already takes GET /things/{other}").contains("409");
        assertThat(run("routes", "rm", id)).isZero();
        assertThat(run("routes", "ls")).isZero();
        assertThat(err()).isEqualTo("no routes\n");

        assertThat(run("schedules", "add", "nightly", "--function", "routed", "--cron", "0 2 * * *", "--tz", "Europe/Berlin",
                "--payload", "{\"keep\":7}")).as(err()).isZero();
        assertThat(out()).startsWith("added schedule nightly: cron(0 2 * * *) Europe/Berlin -> routed, next ");
        assertThat(run("schedules", "disable", "nightly")).isZero();
        assertThat(out()).isEqualTo("nightly disabled\n");
        assertThat(run("schedules", "enable", "nightly")).isZero();
        assertThat(out()).startsWith("nightly enabled, next ");
        assertThat(run("schedules", "ls")).isZero();
        assertThat(out()).containsPattern("nightly\\s+cron\\(0 2 \\* \\* \\*\\)\\s+Europe/Berlin\\s+routed\\s+yes");
        assertThat(run("schedules", "add", "bad", "--function", "routed", "--rate", "0 minutes")).isEqualTo(1);
        assertThat(err()).contains("InvalidRate");
        assertThat(run("schedules", "rm", "nightly")).isZero();
        assertThat(run("schedules", "rm", "nightly")).isEqualTo(1);
        assertThat(run("rm", "routed")).isZero();
    }

    @Test
    void rmNamesWhatUsesTheFunctionAndCascadeRemovesItToo() {
        assertThat(run("deploy", "used", "--code", "functions.jar", "--handler", "dev.cumulus.testfn.EventEcho")).as(err()).isZero();
        assertThat(run("routes", "add", "GET", "/used/{id}", "used")).as(err()).isZero();
        assertThat(run("schedules", "add", "each-minute", "--function", "used", "--rate", "1 minutes", "--disabled"))
                .as(err()).isZero();
        assertThat(run("schedules", "add", "berlin-night", "--function", "used", "--cron", "0 2 * * *", "--tz",
                "Europe/Berlin")).as(err()).isZero();
        assertThat(run("schedules", "ls")).isZero();
        // EventBridge's singular for 1, and the next tick on the schedule's own clock
        assertThat(out()).containsPattern("each-minute\\s+rate\\(1 minute\\)\\s+UTC\\s+used\\s+no\\s+-")
                .containsPattern("berlin-night\\s+cron\\(0 2 \\* \\* \\*\\)\\s+Europe/Berlin\\s+used\\s+yes\\s+"
                        + "\\d{4}-\\d\\d-\\d\\dT02:00:00\\+0[12]:00\\s");

        assertThat(run("rm", "used")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: used is used by: route GET /used/{id}, schedule berlin-night, "
                + "schedule each-minute; use --cascade to remove them too\n");
        assertThat(run("invoke", "used")).as(err()).isZero();

        assertThat(run("rm", "used", "--cascade")).as(err()).isZero();
        assertThat(out()).isEqualTo("removed used\n");
        assertThat(run("routes", "ls")).isZero();
        assertThat(out()).doesNotContain("/used/");
        assertThat(run("schedules", "ls")).isZero();
        assertThat(out()).doesNotContain("each-minute").doesNotContain("berlin-night");
        assertThat(run("invoke", "used")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: function used does not exist (HTTP 404 NotFound)\n");
    }

    @Test
    void topicsAreCreatedSubscribedPublishedToAndRemoved() {
        assertThat(run("deploy", "listener", "--code", "functions.jar", "--handler", "dev.cumulus.testfn.CloudEventLog"))
                .as(err()).isZero();
        assertThat(run("topics", "create", "news")).as(err()).isZero();
        assertThat(out()).contains("created topic news");
        assertThat(run("topics", "subscribe", "news", "--function", "listener", "--filter", "type=story"))
                .as(err()).isZero();
        String id = out().strip();
        assertThat(id).startsWith("sub-");
        assertThat(run("topics", "subscriptions", "news")).isZero();
        assertThat(out()).contains(id).contains("listener").contains("type=story").contains("raw");
        assertThat(run("topics", "ls")).isZero();
        assertThat(out()).contains("news").contains("1");

        assertThat(run("topics", "publish", "news", "--data", "{\"headline\":\"hi\"}", "--type", "story",
                "--subject", "front")).as(err()).isZero();
        String eventId = out().strip();
        assertThat(err()).contains("1 subscriber");
        assertThat(run("topics", "publish", "news", "--data", "{}", "--type", "ad")).isZero();
        assertThat(err()).contains("0 subscribers");
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
            run("logs", "listener", "--limit", "100");
            return out().contains("ce " + eventId + "|story|/v1/topics/news|front|{\"headline\":\"hi\"}");
        });

        assertThat(run("topics", "publish", "nowhere", "--data", "{}")).isEqualTo(1);
        assertThat(err()).contains("404").contains("nowhere");
        assertThat(run("topics", "publish", "news", "--data", "{oops")).isEqualTo(2);
        assertThat(run("topics", "subscribe", "news", "--function", "ghost")).isEqualTo(1);
        assertThat(err()).contains("400").contains("ghost");
        assertThat(run("topics", "unsubscribe", "news", id)).isZero();
        assertThat(run("topics", "unsubscribe", "news", id)).isEqualTo(1);
        assertThat(run("topics", "rm", "news")).isZero();
        assertThat(run("topics", "rm", "news")).isEqualTo(1);
        assertThat(run("rm", "listener")).isZero();
    }

    @Test
    void functionErrorExitsOneWithTheErrorOnOneLine() {
        assertThat(run("deploy", "thrower", "--code", "functions.jar", "--handler", "dev.cumulus.testfn.Misbehave"))
                .isZero();
        assertThat(run("invoke", "thrower", "--data", "{\"do\":\"throw\"}")).isEqualTo(1);
        assertThat(out()).contains("\"errorMessage\":\"boom\"");
        assertThat(err()).endsWith("error: function thrower failed (Unhandled): java.lang.IllegalStateException: boom\n");
    }

    @Test
    void bigUploadsShowProgress() throws IOException {
        Path big = cwd.resolve("big.jar");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(FUNCTIONS));
                ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(big))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                zip.putNextEntry(new ZipEntry(e.getName()));
                in.transferTo(zip);
            }
            zip.setLevel(0);
            zip.putNextEntry(new ZipEntry("padding.bin"));
            byte[] noise = new byte[3 * 1024 * 1024];
            new java.util.Random(1).nextBytes(noise);
            zip.write(noise);
        }
        assertThat(run("deploy", "big", "--code", "big.jar", "--handler", "dev.cumulus.testfn.Hello")).as(err()).isZero();
        assertThat(err()).startsWith("uploading big.jar (3.").endsWith("done\n");
    }

    @Test
    void apiRefusalsAreOneLineWithStatus() {
        assertThat(run("deploy", "bad name", "--code", "functions.jar", "--handler", "dev.cumulus.testfn.Hello"))
                .isNotZero();
        assertThat(err().lines()).hasSize(1);
        assertThat(run("deploy", "nohandler", "--code", "functions.jar", "--handler", "com.example.Nope")).isEqualTo(1);
        assertThat(err()).startsWith("error: ").contains("HandlerNotFound").endsWith(")\n");
        assertThat(err().lines()).hasSize(1);
        assertThat(run("rm", "ghost")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: function ghost does not exist (HTTP 404 NotFound)\n");
    }

    @Test
    void wrongTokenIsOneClearLine() {
        int code = new Cli(new PrintStream(out, true), new PrintStream(err, true),
                Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN", "wrong")).withCwd(cwd).run("ls");
        assertThat(code).isEqualTo(1);
        assertThat(err()).contains("HTTP 401 Unauthorized");
        assertThat(err().lines()).hasSize(1);
    }

    @Test
    void localDataDirGivesUrlAndToken() {
        int code = new Cli(new PrintStream(out, true), new PrintStream(err, true), Map.of())
                .withCwd(cwd).run("ls", "--data-dir", dataDir.toString());
        assertThat(code).as(err()).isZero();
        assertThat(err()).doesNotContain("error");
    }

    @Test
    void usageErrorsExitTwoBeforeAnyRequest() {
        assertThat(run("deploy", "hello", "--code", "nope.jar", "--handler", "H")).isEqualTo(2);
        assertThat(err()).isEqualTo("error: --code nope.jar: no such file\n");
        assertThat(run("invoke", "hello", "--data", "{oops")).isEqualTo(2);
        assertThat(err()).startsWith("error: the event from --data is not valid JSON");
        assertThat(err().lines()).hasSize(1);
        assertThat(run("deploy", "hello")).isEqualTo(2);
        assertThat(err()).isEqualTo("error: no --code given and no cumulus.yaml or cumulus.yml or cumulus.json in " + cwd
                + " (make a project with 'cumulus init NAME', or deploy NAME --code PATH --handler H)\n");
        assertThat(run("nosuch")).isEqualTo(2);
        assertThat(err().lines()).hasSize(1);
    }

    @Test
    void connectionRefusedSaysHowToStartANode() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int code = new Cli(new PrintStream(out, true), new PrintStream(err, true), Map.of())
                .withCwd(cwd).run("ls", "--url", "http://127.0.0.1:" + port, "--token", "t");
        assertThat(code).isEqualTo(1);
        assertThat(err()).isEqualTo("error: the Cumulus node is not running at http://127.0.0.1:" + port
                + " (start it with 'cumulus serve', or point --url / CUMULUS_URL at a running node)\n");
    }

    @Test
    void verbosePrintsTheStackTrace() {
        assertThat(run("rm", "ghost", "--verbose")).isEqualTo(1);
        assertThat(err()).contains("\tat dev.cumulus.cli.").endsWith("(HTTP 404 NotFound)\n");
    }

    @Test
    void sourcesAddListDisableEnableRemove() {
        String topic = "cumulus-cli-it/" + UUID.randomUUID() + "/+";
        // event source mappings against the local Mosquitto
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
    void helpListsEveryCommand() {
        assertThat(run("--help")).isZero();
        assertThat(out()).contains("serve", "deploy", "invoke", "ls", "rm", "publish", "versions", "logs", "usage", "doctor",
                "sources");
        assertThat(run("deploy", "--help")).isZero();
        assertThat(out()).contains("--code=PATH", "--keep-alive=DURATION", "--[no-]public");
    }

    @Test
    void serveStartsANodePrintsTheTokenOnceAndStopsCleanly(@TempDir Path serveData) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        PipedLines lines = new PipedLines();
        Cli cli = new Cli(new PrintStream(lines, true), new PrintStream(err, true), Map.of())
                .withCwd(cwd).withShutdownSignal(stop);
        Thread serving = Thread.ofVirtual().start(() -> cli.run("serve", "--port", "0", "--data", serveData.toString()));
        await().atMost(Duration.ofSeconds(30)).until(() -> lines.text().contains("token"));
        String token = Files.readString(serveData.resolve("root-token")).strip();
        assertThat(lines.text()).contains(token).contains(serveData.resolve("root-token").toString());
        assertThat(Files.readString(serveData.resolve("url"))).startsWith("http://127.0.0.1:");
        stop.countDown();
        serving.join(Duration.ofSeconds(30));
        assertThat(serving.isAlive()).isFalse();

        // second start on the same data dir: the token is not shown again
        PipedLines again = new PipedLines();
        CountDownLatch stopAgain = new CountDownLatch(1);
        Cli cli2 = new Cli(new PrintStream(again, true), new PrintStream(err, true), Map.of())
                .withCwd(cwd).withShutdownSignal(stopAgain);
        Thread second = Thread.ofVirtual().start(() -> cli2.run("serve", "--port", "0", "--data", serveData.toString()));
        await().atMost(Duration.ofSeconds(30)).until(() -> again.text().contains("Press Ctrl+C"));
        assertThat(again.text()).doesNotContain(token).startsWith("Cumulus is running at http://127.0.0.1:")
                .contains("root token: in " + serveData.resolve("root-token"));
        stopAgain.countDown();
        second.join(Duration.ofSeconds(30));
        assertThat(second.isAlive()).isFalse();
    }

    @Test
    void serveOnABusyPortFailsWithOneLineAndLeavesNoToken(@TempDir Path fresh) {
        String busyPort = Integer.toString(node.url().getPort());
        assertThat(run("serve", "--port", busyPort, "--data", fresh.toString())).isEqualTo(1);
        assertThat(err()).contains("error: cannot listen:").contains("choose another --port");
        assertThat(fresh.resolve("root-token")).as("a token nobody was shown").doesNotExist();
    }

    @Test
    void logsOfAFunctionWithoutLinesSaySo() {
        assertThat(run("deploy", "quiet", "--code", "functions.jar", "--handler", "dev.cumulus.testfn.Echo")).isZero();
        assertThat(run("logs", "quiet")).isZero();
        assertThat(out()).isEmpty();
        assertThat(err()).startsWith("no log lines for quiet (yet)");
        assertThat(run("rm", "quiet")).isZero();
    }

    /** An output stream whose text so far can be read while the command still runs. */
    static final class PipedLines extends OutputStream {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            buffer.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            buffer.write(b, off, len);
        }

        synchronized String text() {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void invokeAsyncQueuesAndInvocationsShowsTheOutcome() {
        assertThat(run("deploy", "async-greeter", "--code", "functions.jar", "--handler", "dev.cumulus.testfn.Hello"))
                .as(err()).isZero();

        assertThat(run("invoke", "async-greeter", "--async", "--data", "{\"name\":\"Ada\"}", "--idempotency-key", "k1"))
                .as(err()).isZero();
        Matcher m = REQUEST_ID.matcher(out());
        assertThat(m.find()).as(out()).isTrue();
        String id = m.group(1);
        assertThat(out()).contains("\"duplicate\":false");
        assertThat(err()).isEqualTo("queued: request-id " + id + "\n");

        assertThat(run("invoke", "async-greeter", "--async", "--data", "{\"name\":\"Ada\"}", "--idempotency-key", "k1"))
                .isZero();
        assertThat(out()).contains("\"requestId\":\"" + id + "\"", "\"duplicate\":true");
        assertThat(err()).contains("duplicate");

        await().atMost(Duration.ofMinutes(1)).until(() -> run("invocations", "async-greeter") == 0
                && out().lines().anyMatch(l -> l.startsWith(id) && l.contains("succeeded")));
        assertThat(out().lines().findFirst().orElseThrow()).matches("REQUEST ID +STATE +ATTEMPTS +ACCEPTED +ERROR");
        assertThat(out()).containsPattern("(?m)^" + id + " +succeeded +1 +\\S+ +-$");

        assertThat(run("invocations", "async-greeter", id)).as(err()).isZero();
        assertThat(out()).contains("request-id  " + id, "state       succeeded", "key         k1", "\"type\":\"dev.cumulus.function.invoke\"");
        assertThat(out()).containsPattern("(?m)^1\\s+\\S+\\s+\\S+\\s+succeeded");

        assertThat(run("invocations", "async-greeter", "--state", "failed")).isZero();
        assertThat(err()).startsWith("no asynchronous invocations of async-greeter in state failed");
    }

    @Test
    void badAsyncUseIsOneClearLine() {
        assertThat(run("invoke", "async-greeter", "--idempotency-key", "k")).isEqualTo(2);
        assertThat(err()).isEqualTo("error: --idempotency-key needs --async\n");
        assertThat(run("invoke", "ghost", "--async")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: function ghost does not exist (HTTP 404 NotFound)\n");
        assertThat(run("invocations", "ghost")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: function ghost does not exist (HTTP 404 NotFound)\n");
        assertThat(run("invocations", "ghost", "--limit", "0")).isEqualTo(2);
        assertThat(err()).isEqualTo("error: --limit must be 1..1000, not 0\n");
    }
}
