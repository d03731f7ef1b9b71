package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.async.AsyncDelivery;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.registry.Zips;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, parts 7 and 9, against a real node with real sandboxes: a function that calls
 * forbidden system calls, spins on every CPU or fills /tmp, a zip bomb, strangers probing
 * function names, a function setting cookies for the whole site, a flood of asynchronous
 * events. After each, another function still answers in about its usual time and the node's
 * heap is where it was.
 */
@Timeout(180)
class AttackSandboxTest {
    private static final int MAX_PENDING = 5;
    /** 128 MB: /tmp holds at most half of it. */
    private static final int HOSTILE_MEMORY_MB = 128;
    /**
     * A {@code provided} function in Python that does what its event's {@code do} (or a function
     * URL request's body) says: call system calls by number and report each result ("ok" or the
     * errno's name), fill /tmp until the kernel refuses, or answer with cookies for the whole site.
     */
    private static final String HOSTILE_BOOTSTRAP = """
            #!/usr/bin/python3
            import ctypes, errno, http.client, json, os
            HOST, PORT = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
            libc = ctypes.CDLL(None, use_errno=True)

            def call(method, path, body=None):
                conn = http.client.HTTPConnection(HOST, int(PORT))
                conn.request(method, "/2018-06-01/runtime/" + path, body=body)
                response = conn.getresponse()
                data = response.read()
                conn.close()
                return response, data

            def syscall(nr, *args):
                ctypes.set_errno(0)
                r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
                return "ok" if r >= 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))

            def syscalls():
                return {"getpid": syscall(39), "keyctl": syscall(250, 0, -3, 0), "ptrace": syscall(101, 0, 0, 0, 0),
                        "perf_event_open": syscall(298, 0, 0, -1, -1, 0), "io_uring_setup": syscall(425, 1, 0),
                        "socket_vsock": syscall(41, 40, 1, 0)}

            def fill():
                written, chunk = 0, b"x" * (1 << 20)
                try:
                    with open("/tmp/fill", "wb", buffering=0) as f:
                        while True:
                            written += f.write(chunk)
                except OSError as e:
                    failure = errno.errorcode.get(e.errno)
                os.remove("/tmp/fill")
                return {"error": failure, "written": written}

            def cookies():
                return {"statusCode": 200, "body": "ok", "cookies": ["sid=1; Path=/; HttpOnly"],
                        "headers": {"set-cookie": "wide=1; Domain=example.com"}}

            while True:
                response, data = call("GET", "invocation/next")
                request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
                event = json.loads(data)
                answer = {"syscalls": syscalls, "fill": fill, "cookies": cookies}[event.get("do") or event.get("body")]()
                call("POST", "invocation/%s/response" % request_id, json.dumps(answer).encode())
            """;

    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c.withAsync(AsyncDelivery.Settings.defaults().withMaxPending(MAX_PENDING)));
        node.deploy("healthy", "dev.cumulus.testfn.Hello", Map.of());
        node.deploy("spinner", "dev.cumulus.testfn.Misbehave", Map.of("timeoutSeconds", 20, "memoryMb", 128));
        node.deploy("private", "dev.cumulus.testfn.Hello", Map.of());
        node.deploy("sleeper", "dev.cumulus.testfn.Sleep", Map.of("timeoutSeconds", 60));
        HttpResponse<String> upload = node.uploadBytes(
                Zips.zip(Map.of("bootstrap", HOSTILE_BOOTSTRAP.getBytes(StandardCharsets.UTF_8))));
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
        HttpResponse<String> deployed = node.send("PUT", "/v1/functions/hostile", TestNode.write(Map.of(
                "runtime", "provided", "handler", "hostile", "codeSha256", TestNode.json(upload).get("sha256").asText(),
                "memoryMb", HOSTILE_MEMORY_MB, "public", true)));
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    // ---- part 7: sandbox depth

    @Test
    void deniedSystemCallsFailInsideTheFunctionAndTheNodeCarriesOn() {
        NodeHealth baseline = NodeHealth.measure(node, "healthy");

        HttpResponse<String> response = node.invoke("hostile", Map.of("do", "syscalls"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(TestNode.json(response)).isEqualTo(TestNode.JSON.valueToTree(Map.of("getpid", "ok", "keyctl", "EPERM",
                "ptrace", "EPERM", "perf_event_open", "EPERM", "io_uring_setup", "ENOSYS",
                "socket_vsock", "EAFNOSUPPORT")));
        baseline.assertUnharmed();
    }

    @Test
    void fillingTmpIsNoSpaceForTheFunctionNotTheDeathOfItsInstance() {
        NodeHealth baseline = NodeHealth.measure(node, "healthy");
        node.invoke("hostile", Map.of("do", "syscalls")); // warm

        HttpResponse<String> response = node.invoke("hostile", Map.of("do", "fill"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode filled = TestNode.json(response);
        assertThat(filled.get("error").asText()).isEqualTo("ENOSPC");
        long cap = HOSTILE_MEMORY_MB / 2 * 1024L * 1024L;
        assertThat(filled.get("written").asLong()).isBetween(cap / 2, cap);
        HttpResponse<String> after = node.invoke("hostile", Map.of("do", "syscalls"));
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.headers().firstValue("X-Cumulus-Cold-Start")).as("the same instance lives on").hasValue("false");
        baseline.assertUnharmed();
    }

    /**
     * A function spinning on twice as many threads as the host has CPUs: its cgroup is throttled
     * at the quota (so the spinning really happens, and is held), and meanwhile another
     * function answers in about its usual time.
     */
    @Test
    void aFunctionSpinningOnEveryCpuDoesNotStarveAnother() {
        NodeHealth baseline = NodeHealth.measure(node, "healthy");

        CompletableFuture<HttpResponse<String>> spinning =
                CompletableFuture.supplyAsync(() -> node.invoke("spinner", Map.of("do", "spin-all")));
        await().atMost(Duration.ofSeconds(15)).until(() -> throttledPeriods("spinner") > 0);
        baseline.assertUnharmed();

        HttpResponse<String> spun = spinning.join();
        assertThat(TestNode.json(spun).get("errorType").asText()).as(spun.body()).isEqualTo("Timeout");
    }

    @Test
    void aZipBombIsRefusedAtUploadWithAPrecise400() {
        NodeHealth baseline = NodeHealth.measure(node, "healthy");

        HttpResponse<String> response = node.uploadBytes(Zips.bomb());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode error = TestNode.json(response);
        assertThat(error.get("error").asText()).isEqualTo("InvalidCode");
        assertThat(error.get("message").asText())
                .isEqualTo("code package unpacks to more than " + FunctionRegistry.MAX_UNPACKED_CODE_BYTES + " bytes");
        try (var stored = Files.list(dataDir.resolve("code"))) {
            assertThat(stored.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("upload-"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        baseline.assertUnharmed();
    }

    // ---- part 9: smaller findings

    @Test
    void strangersCannotTellMissingFunctionsFromPrivateOnes() {
        HttpResponse<String> missing = anonymous("GET", "/fn/no-such-function/");
        HttpResponse<String> hidden = anonymous("GET", "/fn/private/");

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(hidden.statusCode()).isEqualTo(401);
        assertThat(TestNode.json(missing).get("message")).isEqualTo(TestNode.json(hidden).get("message"));
        assertThat(node.send("GET", "/fn/no-such-function/", null).statusCode()).as("the operator learns it").isEqualTo(404);
    }

    @Test
    void aRouteIsPrivateUnlessItSaysOtherwiseAndDotSegmentsAreRefused() {
        HttpResponse<String> created = node.send("POST", "/v1/routes",
                TestNode.write(Map.of("method", "GET", "path", "/hello", "function", "healthy")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(TestNode.json(created).get("auth").asText()).isEqualTo("token");

        assertThat(anonymous("GET", "/api/hello").statusCode()).isEqualTo(401);
        assertThat(node.send("GET", "/api/hello", null).statusCode()).isEqualTo(200);
        // a request's dot segments: refused by the node (plain) or by Jetty (encoded), never matched
        node.send("POST", "/v1/routes", TestNode.write(Map.of("method", "GET", "path", "/files/{proxy+}",
                "function", "healthy", "auth", "none")));
        for (String raw : List.of("/api/files/../hello", "/api/files/a/../../hello", "/api/./hello",
                "/api/files/%2e%2e/hello", "/fn/healthy/../../v1/functions")) {
            HttpResponse<String> refused = node.exchange(HttpRequest.newBuilder(
                    java.net.URI.create(node.platform.url().toString().replaceAll("/$", "") + raw))
                    .header("Authorization", "Bearer " + node.platform.rootToken()).GET().build());
            assertThat(refused.statusCode()).as(raw + " " + refused.body()).isEqualTo(400);
        }
        for (String path : List.of("/a/../hello", "/a/%2e%2e/hello", "/./hello")) {
            HttpResponse<String> refused = node.send("POST", "/v1/routes",
                    TestNode.write(Map.of("method", "GET", "path", path, "function", "healthy", "auth", "none")));
            assertThat(refused.statusCode()).as(path).isEqualTo(400);
            assertThat(TestNode.json(refused).get("error").asText()).isEqualTo("InvalidPath");
        }
    }

    @Test
    void aFunctionsCookiesStayOnItsOwnPath() {
        HttpResponse<String> response = node.exchange(HttpRequest.newBuilder(node.url("/fn/hostile/"))
                .POST(HttpRequest.BodyPublishers.ofString("cookies")).build());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().allValues("set-cookie"))
                .containsExactlyInAnyOrder("sid=1; HttpOnly; Path=/fn/hostile/", "wide=1; Path=/fn/hostile/");
    }

    @Test
    void aFloodOfAsynchronousEventsStopsAtTheCapWithA429() {
        NodeHealth baseline = NodeHealth.measure(node, "healthy");
        List<Integer> statuses = new ArrayList<>();
        JsonNode refusal = null;

        for (int i = 0; i < MAX_PENDING + 3; i++) {
            HttpResponse<String> response = node.exchange(HttpRequest.newBuilder(node.url("/v1/functions/sleeper/invoke"))
                    .header("Authorization", "Bearer " + node.platform.rootToken())
                    .header("X-Cumulus-Invocation-Type", "Event")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ms\":30000}")).build());
            statuses.add(response.statusCode());
            if (response.statusCode() == 429) {
                refusal = TestNode.json(response);
            }
        }

        // none of the sleeping events can end meanwhile, so exactly the cap gets in
        assertThat(statuses).containsExactly(202, 202, 202, 202, 202, 429, 429, 429);
        assertThat(refusal.get("error").asText()).isEqualTo("TooManyPendingEvents");
        assertThat(refusal.get("message").asText()).isEqualTo("function sleeper already has " + MAX_PENDING
                + " asynchronous events waiting for delivery; try again once it has caught up");
        baseline.assertUnharmed();
    }

    // ---- helpers

    private static HttpResponse<String> anonymous(String method, String path) {
        return node.send(method, path, null, null);
    }

    /** {@code nr_throttled} of the cpu cgroup of the function's (one) instance. */
    private static long throttledPeriods(String function) throws IOException {
        long total = 0;
        for (JsonNode instance : TestNode.json(node.send("GET", "/v1/functions/" + function + "/instances", null))
                .get("instances")) {
            for (String line : Files.readAllLines(Path.of("/proc", instance.get("pid").asText(), "cgroup"))) {
                String[] parts = line.split(":", 3); // id:controllers:path
                if (List.of(parts[1].split(",")).contains("cpu")) {
                    Path stat = Path.of("/sys/fs/cgroup/cpu", parts[2], "cpu.stat");
                    for (String field : Files.readAllLines(stat)) {
                        if (field.startsWith("nr_throttled ")) {
                            total += Long.parseLong(field.substring("nr_throttled ".length()).trim());
                        }
                    }
                }
            }
        }
        return total;
    }
}
