package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stem cell as the node runs one: a child JVM that warms up on itself, asks for its function,
 * and then serves a Lambda handler. Its class-loading log shows what it held before it knew the
 * function.
 */
class StemCellProcessTest {
    private static final String HANDLER = """
            package lam;
            import com.amazonaws.services.lambda.runtime.*;
            import java.util.Map;
            public class Hello implements RequestHandler<Map<String, Object>, String> {
                public String handleRequest(Map<String, Object> event, Context c) {
                    c.getLogger().log("greeting " + event.get("name"));
                    return "Hello " + event.get("name") + " in " + c.getAwsRequestId() + " of " + c.getFunctionName()
                            + " (" + c.getMemoryLimitInMB() + " MB, " + c.getClass().getName() + ")";
                }
            }
            """;

    @Test
    void aLambdaHandlerSpecialisedFromAStemCellGetsItsEventAndContextAndNothingOfItWasLoadedBefore(@TempDir Path dir)
            throws Exception {
        Path core = Path.of(com.amazonaws.services.lambda.runtime.Context.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        Path taskRoot = dir.resolve("task");
        TestCompiler.compile(taskRoot, Map.of("lam.Hello", HANDLER), core);
        Files.createDirectories(taskRoot.resolve("lib"));
        Files.copy(core, taskRoot.resolve("lib").resolve(core.getFileName()));
        Path socket = dir.resolve("rt.sock");
        Path classes = dir.resolve("classes.log");

        try (FakeRuntimeApi api = FakeRuntimeApi.unix(socket)) {
            Process cell = launchCell(socket, classes, dir);
            try {
                api.cellWaiting.get(60, TimeUnit.SECONDS); // warmed up, asking for its function
                List<String> beforeSpecialise = Files.readAllLines(classes);
                assertThat(beforeSpecialise).as("the warm-up ran").anyMatch(l -> l.contains("dev.cumulus.runtime.Training "));
                assertThat(beforeSpecialise)
                        .noneMatch(l -> l.contains(taskRoot.toString()) || l.contains("lam.Hello"))
                        .noneMatch(l -> l.contains("com.amazonaws.") || l.contains("dev.cumulus.runtime.lambda."));

                api.enqueue("req-7", "{\"name\":\"Ada\"}");
                Map<String, Object> environment = new LinkedHashMap<>();
                environment.put("CUMULUS_RUNTIME_SOCKET", socket.toString());
                environment.put("_HANDLER", "lam.Hello");
                environment.put("LAMBDA_TASK_ROOT", taskRoot.toString());
                environment.put("AWS_LAMBDA_FUNCTION_NAME", "hello");
                environment.put("AWS_LAMBDA_FUNCTION_VERSION", "2");
                environment.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256");
                api.specialisation.complete(JsonWriter.write(Map.of("environment", environment)));

                FakeRuntimeApi.Request answer = api.nextPost();
                assertThat(answer.path()).isEqualTo("/2018-06-01/runtime/invocation/req-7/response");
                assertThat(answer.text()).isEqualTo(
                        "\"Hello Ada in req-7 of hello (256 MB, dev.cumulus.runtime.lambda.BridgedContext)\"");
                assertThat(Files.readString(dir.resolve("stdout"))).contains("greeting Ada\n");
                // the same log names them once the cell is the function's: the check above could see them
                assertThat(Files.readAllLines(classes))
                        .anyMatch(l -> l.contains("lam.Hello") && l.contains(taskRoot.toString()))
                        .anyMatch(l -> l.contains("dev.cumulus.runtime.lambda.BridgedContext"));
            } finally {
                cell.destroyForcibly();
                cell.onExit().get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Process launchCell(Path socket, Path classes, Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classpath = TestCompiler.runtimeLocation() + File.pathSeparator + TestCompiler.apiLocation();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "-Xlog:class+load=info:file=" + classes,
                "-cp", classpath, "dev.cumulus.runtime.Main");
        pb.environment().clear();
        pb.environment().put("CUMULUS_STEM_CELL", "1");
        pb.environment().put("CUMULUS_RUNTIME_SOCKET", socket.toString());
        pb.environment().put("HOME", dir.toString());
        pb.redirectOutput(dir.resolve("stdout").toFile());
        pb.redirectError(dir.resolve("stderr").toFile());
        return pb.start();
    }
}
