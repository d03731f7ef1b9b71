package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs whole commands in-process against a canned HTTP server: exit codes, stdout/stderr, requests sent. */
class CliRunTest {
    @TempDir
    Path cwd;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private String url;

    record Canned(int status, String body, Map<String, String> headers) {}

    private volatile Map<String, Canned> answers = Map.of();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String key = ex.getRequestMethod() + " " + ex.getRequestURI();
        requests.add(key + " auth=" + ex.getRequestHeaders().getFirst("Authorization")
                + " type=" + ex.getRequestHeaders().getFirst("Content-Type"));
        bodies.add(ex.getRequestBody().readAllBytes());
        Canned c = answers.getOrDefault(key, new Canned(404, "{\"error\":\"NotFound\",\"message\":\"no route " + key + "\"}", Map.of()));
        c.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        byte[] b = c.body().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(c.status(), c.status() == 204 ? -1 : b.length);
        if (c.status() != 204) {
            ex.getResponseBody().write(b);
        }
        ex.close();
    }

    private int run(String... args) {
        Cli cli = new Cli(new PrintStream(out, true), new PrintStream(err, true), Map.of("CUMULUS_URL", url, "CUMULUS_TOKEN", "tok"))
                .withCwd(cwd);
        return cli.run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void deployUploadsThenPutsSettings() throws Exception {
        Files.write(cwd.resolve("hello.jar"), new byte[2048]);
        answers = Map.of(
                "POST /v1/code", new Canned(201, "{\"sha256\":\"0123456789abcdef0123\",\"sizeBytes\":2048}", Map.of()),
                "PUT /v1/functions/hello", new Canned(201, "{\"name\":\"hello\",\"handler\":\"com.example.Hello\","
                        + "\"code\":{\"sha256\":\"0123456789abcdef0123\",\"sizeBytes\":2048}}", Map.of()));
        int code = run("deploy", "hello", "--code", "hello.jar", "--handler", "com.example.Hello", "--memory", "512");
        assertThat(code).as(err()).isZero();
        assertThat(out()).isEqualTo("deployed hello: handler com.example.Hello, code 0123456789ab (2.0 KiB)\n");
        assertThat(requests).containsExactly(
                "POST /v1/code auth=Bearer tok type=application/zip",
                "PUT /v1/functions/hello auth=Bearer tok type=application/json");
        assertThat(bodies.get(0)).hasSize(2048);
        assertThat(new String(bodies.get(1), StandardCharsets.UTF_8))
                .isEqualTo("{\"handler\":\"com.example.Hello\",\"memoryMb\":512,\"codeSha256\":\"0123456789abcdef0123\"}");
        assertThat(err()).isEmpty();
    }

    @Test
    void deployOfAMissingFileIsAUsageErrorBeforeAnyRequest() {
        assertThat(run("deploy", "hello", "--code", "nope.jar", "--handler", "H")).isEqualTo(2);
        assertThat(err()).isEqualTo("error: --code nope.jar: no such file\n");
        assertThat(requests).isEmpty();
    }

    @Test
    void deployShowsUploadProgressForBigPackages() throws Exception {
        Files.write(cwd.resolve("big.jar"), new byte[3 * 1024 * 1024]);
        answers = Map.of(
                "POST /v1/code", new Canned(201, "{\"sha256\":\"ab\",\"sizeBytes\":3145728}", Map.of()),
                "PUT /v1/functions/big", new Canned(200, "{\"name\":\"big\",\"handler\":\"H\",\"code\":{\"sha256\":\"ab\",\"sizeBytes\":3145728}}", Map.of()));
        assertThat(run("deploy", "big", "--code", "big.jar", "--handler", "H")).as(err()).isZero();
        assertThat(err()).isEqualTo("uploading big.jar (3.0 MiB) ... done\n");
    }

    @Test
    void apiErrorIsOneLineWithStatus() {
        answers = Map.of("DELETE /v1/functions/ghost",
                new Canned(404, "{\"error\":\"NotFound\",\"message\":\"function ghost does not exist\"}", Map.of()));
        assertThat(run("rm", "ghost")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: function ghost does not exist (HTTP 404 NotFound)\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void invokePrintsBodyAndMetadata() {
        answers = Map.of("POST /v1/functions/hello/invoke", new Canned(200, "{\"greeting\":\"hi\"}",
                Map.of("X-Cumulus-Request-Id", "req-1", "X-Cumulus-Cold-Start", "true", "X-Cumulus-Billed-Ms", "12")));
        assertThat(run("invoke", "hello", "--data", "{\"name\":\"x\"}")).isZero();
        assertThat(out()).isEqualTo("{\"greeting\":\"hi\"}\n");
        assertThat(err()).isEqualTo("request-id req-1  cold true  billed 12 ms\n");
        assertThat(new String(bodies.get(0), StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"x\"}");
    }

    @Test
    void invokeFunctionErrorExitsOne() {
        answers = Map.of("POST /v1/functions/hello:2/invoke", new Canned(200,
                "{\"errorType\":\"java.lang.IllegalStateException\",\"errorMessage\":\"boom\",\"stackTrace\":[]}",
                Map.of("X-Cumulus-Function-Error", "Unhandled", "X-Cumulus-Request-Id", "req-2")));
        assertThat(run("invoke", "hello:2")).isEqualTo(1);
        assertThat(out()).contains("\"errorMessage\":\"boom\"");
        assertThat(err()).endsWith("error: function hello:2 failed (Unhandled): java.lang.IllegalStateException: boom\n");
        assertThat(new String(bodies.get(0), StandardCharsets.UTF_8)).isEqualTo("{}");
    }

    @Test
    void invokeWithBadJsonIsAUsageError() {
        assertThat(run("invoke", "hello", "--data", "{oops")).isEqualTo(2);
        assertThat(err()).startsWith("error: the event from --data is not valid JSON").doesNotContain("\n\t");
        assertThat(err().lines()).hasSize(1);
        assertThat(requests).isEmpty();
    }

    @Test
    void lsTable() {
        answers = Map.of("GET /v1/functions", new Canned(200, "{\"functions\":[{\"name\":\"hello\",\"runtime\":\"java25\","
                + "\"handler\":\"com.example.Hello\",\"memoryMb\":256,\"instances\":{\"starting\":0,\"idle\":1,\"busy\":2}},"
                + "{\"name\":\"b\",\"runtime\":\"provided\",\"handler\":\"bootstrap\",\"memoryMb\":128}]}", Map.of()));
        assertThat(run("ls")).isZero();
        assertThat(out()).isEqualTo("""
                NAME   RUNTIME   HANDLER            MEMORY  IDLE/BUSY
                hello  java25    com.example.Hello  256 MB  1/2
                b      provided  bootstrap          128 MB  -
                """);
    }

    @Test
    void logsAndUsageAndVersionsAndPublish() {
        answers = Map.of(
                "GET /v1/functions/hello/logs?limit=2", new Canned(200,
                        "{\"time\":\"T1\",\"requestId\":\"r1\",\"instanceId\":\"i\",\"line\":\"one\"}\n"
                                + "{\"time\":\"T2\",\"requestId\":\"r2\",\"instanceId\":\"i\",\"line\":\"two\"}\n", Map.of()),
                "GET /v1/usage", new Canned(200, "{\"from\":\"F\",\"to\":\"T\",\"functions\":[{\"function\":\"hello\",\"requests\":3,"
                        + "\"errors\":1,\"coldStarts\":1,\"billedMs\":42,\"gbSeconds\":0.0105}],\"total\":{\"requests\":3,\"errors\":1,"
                        + "\"coldStarts\":1,\"billedMs\":42,\"gbSeconds\":0.0105}}", Map.of()),
                "POST /v1/functions/hello/versions", new Canned(201, "{\"name\":\"hello\",\"version\":1,\"code\":{\"sha256\":\"abcdef0123456789\",\"sizeBytes\":10}}", Map.of()),
                "GET /v1/functions/hello/versions", new Canned(200, "{\"versions\":[{\"name\":\"hello\",\"version\":1,"
                        + "\"code\":{\"sha256\":\"abcdef0123456789\",\"sizeBytes\":10},\"config\":{\"handler\":\"H\"},\"createdAt\":\"C\"}]}", Map.of()));
        assertThat(run("logs", "hello", "--limit", "2")).isZero();
        assertThat(run("usage")).isZero();
        assertThat(run("publish", "hello")).isZero();
        assertThat(run("versions", "hello")).isZero();
        assertThat(out()).isEqualTo("""
                T1 r1 one
                T2 r2 two
                usage from F to T
                FUNCTION  REQUESTS  ERRORS  COLD-STARTS  BILLED-MS  GB-SECONDS
                hello     3         1       1            42         0.0105
                TOTAL     3         1       1            42         0.0105
                published hello version 1 (code abcdef012345); invoke it as hello:1
                VERSION  CODE          SIZE  HANDLER  CREATED
                1        abcdef012345  10 B  H        C
                """);
        assertThat(err()).isEmpty();
    }

    @Test
    void connectionRefusedSaysHowToStartANode() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Cli cli = new Cli(new PrintStream(out, true), new PrintStream(err, true), Map.of()).withCwd(cwd);
        assertThat(cli.run("ls", "--url", "http://127.0.0.1:" + port, "--token", "t")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: the Cumulus node is not running at http://127.0.0.1:" + port
                + " (start it with 'cumulus serve', or point --url / CUMULUS_URL at a running node)\n");
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        assertThat(run("deploy", "hello")).isEqualTo(2);
        assertThat(err()).isEqualTo("error: Missing required options: '--code=PATH', '--handler=HANDLER' (see 'cumulus deploy --help')\n");
        err.reset();
        assertThat(run("nosuch")).isEqualTo(2);
        assertThat(err().lines()).hasSize(1);
        err.reset();
        assertThat(run()).isEqualTo(2);
        assertThat(err()).contains("Usage: cumulus");
    }

    @Test
    void verbosePrintsTheStackTrace() {
        answers = Map.of();
        assertThat(run("rm", "ghost", "--verbose")).isEqualTo(1);
        assertThat(err()).contains("\tat dev.cumulus.cli.").endsWith("error: no route DELETE /v1/functions/ghost (HTTP 404 NotFound)\n");
    }

    @Test
    void helpGoesToStdoutAndExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(out()).contains("serve", "deploy", "invoke", "ls", "rm", "publish", "versions", "logs", "usage", "doctor");
        out.reset();
        assertThat(run("deploy", "--help")).isZero();
        assertThat(out()).contains("--code=PATH", "--keep-alive=DURATION", "--[no-]public");
    }
}
