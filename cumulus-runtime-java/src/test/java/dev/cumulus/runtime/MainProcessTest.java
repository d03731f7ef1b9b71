package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime as the node runs it: a child JVM, configured by environment, on a Unix socket. */
class MainProcessTest {
    @TempDir
    static Path work;

    static Path taskRoot;

    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void compileFunctions() throws IOException {
        taskRoot = Functions.buildTaskRoot(work);
    }

    @AfterEach
    void killRuntimes() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
            p.onExit().get(30, TimeUnit.SECONDS);
        }
    }

    private Process launch(Map<String, String> env, Path logDir) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classpath = TestCompiler.runtimeLocation() + File.pathSeparator + TestCompiler.apiLocation();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                "dev.cumulus.runtime.Main");
        pb.directory(taskRoot.toFile());
        pb.environment().remove("AWS_LAMBDA_RUNTIME_API");
        pb.environment().remove("CUMULUS_RUNTIME_SOCKET");
        pb.environment().put("LAMBDA_TASK_ROOT", taskRoot.toString());
        pb.environment().put("AWS_LAMBDA_FUNCTION_NAME", "greeter");
        pb.environment().put("AWS_LAMBDA_FUNCTION_VERSION", "3");
        pb.environment().put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
        pb.environment().putAll(env);
        Files.createDirectories(logDir);
        pb.redirectOutput(logDir.resolve("stdout").toFile());
        pb.redirectError(logDir.resolve("stderr").toFile());
        Process process = pb.start();
        processes.add(process);
        return process;
    }

    @Test
    void servesEventsReportsFunctionErrorsAndCarriesOn(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("init.marker");
        try (FakeRuntimeApi api = FakeRuntimeApi.unix(dir.resolve("runtime.sock"))) {
            api.probeAtNext = () -> Files.exists(marker);
            api.enqueue("req-1", "{\"name\":\"Ada\",\"age\":36}");
            api.enqueueChunked("req-2", "{\"name\":\"Grace\",\"age\":85,\"unknown\":true}");
            api.enqueue("req-3", "{\"name\":\"boom\"}");
            api.enqueue("req-4", "{\"name\":\"Linus\"}");

            launch(Map.of("CUMULUS_RUNTIME_SOCKET", dir.resolve("runtime.sock").toString(), "_HANDLER", "fn.Greeter",
                    "INIT_MARKER", marker.toString()), dir.resolve("logs"));

            FakeRuntimeApi.Request first = api.nextPost();
            assertThat(first.path()).isEqualTo("/2018-06-01/runtime/invocation/req-1/response");
            assertThat(JsonParser.parse(first.body())).isEqualTo(JsonParser.parse("""
                    {"greeting":"Hello Ada","age":36,"requestId":"req-1","function":"greeter:3:512",
                     "hasTime":true,"trace":"Root=1-test"}"""));

            FakeRuntimeApi.Request second = api.nextPost();
            assertThat(second.path()).isEqualTo("/2018-06-01/runtime/invocation/req-2/response");
            assertThat(second.text()).startsWith("{\"greeting\":\"Hello Grace\",\"age\":85,");

            FakeRuntimeApi.Request error = api.nextPost();
            assertThat(error.path()).isEqualTo("/2018-06-01/runtime/invocation/req-3/error");
            assertThat(error.header("Lambda-Runtime-Function-Error-Type")).isEqualTo("IllegalStateException");
            @SuppressWarnings("unchecked")
            Map<String, Object> doc = (Map<String, Object>) JsonParser.parse(error.body());
            assertThat(doc).containsEntry("errorMessage", "no boom allowed")
                    .containsEntry("errorType", "java.lang.IllegalStateException");
            assertThat((List<?>) doc.get("stackTrace")).first().asString()
                    .startsWith("at fn.Greeter.handleRequest(Greeter.java:");
            assertThat(doc.get("stackTrace").toString()).doesNotContain("dev.cumulus.runtime");

            FakeRuntimeApi.Request fourth = api.nextPost();
            assertThat(fourth.path()).isEqualTo("/2018-06-01/runtime/invocation/req-4/response");

            assertThat(api.firstNextProbe.get(30, TimeUnit.SECONDS)).as("handler initialised before first next").isTrue();
            assertThat(api.connections.get()).isEqualTo(1);
            assertThat(Files.readString(dir.resolve("logs/stdout")))
                    .contains("greeting Ada in req-1\n", "greeting Grace in req-2\n", "greeting Linus in req-4\n");
        }
    }

    @Test
    void outputOfAnInstanceThatCrashesMidInvocationIsAllThereInOrder(@TempDir Path dir) throws Exception {
        try (FakeRuntimeApi api = FakeRuntimeApi.unix(dir.resolve("runtime.sock"))) {
            api.enqueue("crash-1", "\"500\"");
            Process process = launch(Map.of("CUMULUS_RUNTIME_SOCKET", dir.resolve("runtime.sock").toString(),
                    "_HANDLER", "fn.Crasher"), dir.resolve("logs"));

            assertThat(process.onExit().get(60, TimeUnit.SECONDS).exitValue()).isEqualTo(3);

            String tag = "\u001ecrash-1\u001f"; // every line of the invocation, its logger's and its prints
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                expected.append(tag).append("logged ").append(i).append(" é\n").append(tag).append("printed ").append(i)
                        .append('\n');
            }
            expected.append(tag).append("last words\n");
            assertThat(Files.readString(dir.resolve("logs/stdout"))).isEqualTo(expected.toString());
        }
    }

    @Test
    void reportsAnInitErrorAndExitsWithStatusOne(@TempDir Path dir) throws Exception {
        try (FakeRuntimeApi api = FakeRuntimeApi.unix(dir.resolve("runtime.sock"))) {
            Process process = launch(Map.of("CUMULUS_RUNTIME_SOCKET", dir.resolve("runtime.sock").toString(),
                    "_HANDLER", "fn.DoesNotExist"), dir.resolve("logs"));

            FakeRuntimeApi.Request init = api.nextPost();
            Process exited = process.onExit().get(30, TimeUnit.SECONDS);

            assertThat(init.path()).isEqualTo("/2018-06-01/runtime/init/error");
            assertThat(init.header("Lambda-Runtime-Function-Error-Type")).isEqualTo("Runtime.ClassNotFound");
            assertThat(JsonParser.parse(init.body())).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsEntry("errorMessage", "Class not found: fn.DoesNotExist")
                    .containsEntry("errorType", "java.lang.ClassNotFoundException")
                    .containsKey("stackTrace");
            assertThat(exited.exitValue()).isEqualTo(1);
            assertThat(api.requestLines).noneMatch(line -> line.contains("invocation/next"));
        }
    }

    @Test
    void speaksTheSameProtocolOverTcp(@TempDir Path dir) throws Exception {
        try (FakeRuntimeApi api = FakeRuntimeApi.tcp()) {
            api.enqueue("tcp-1", "hello over tcp");
            launch(Map.of("AWS_LAMBDA_RUNTIME_API", api.hostPort(), "_HANDLER", "fn.Upper"), dir.resolve("logs"));

            FakeRuntimeApi.Request response = api.nextPost();

            assertThat(response.path()).isEqualTo("/2018-06-01/runtime/invocation/tcp-1/response");
            assertThat(response.text()).isEqualTo("HELLO OVER TCP");
        }
    }

    @Test
    void exitsWithStatusTwoWithoutARuntimeApi(@TempDir Path dir) throws Exception {
        Process process = launch(Map.of("_HANDLER", "fn.Upper"), dir.resolve("logs"));

        assertThat(process.onExit().get(30, TimeUnit.SECONDS).exitValue()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("logs/stderr"))).contains("CUMULUS_RUNTIME_SOCKET");
    }
}
