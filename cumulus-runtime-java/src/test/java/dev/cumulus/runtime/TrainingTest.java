package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {
    @Test
    void answersEveryInvocationThroughTheRealClientLoopAndCleansUp(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Path work = dir.resolve("work");

        int answered = Training.run(31, work, new PrintStream(progress, true, StandardCharsets.UTF_8));

        assertThat(answered).isEqualTo(31);
        assertThat(progress.toString(StandardCharsets.UTF_8)).isEqualTo(Training.FIRST_ANSWER + System.lineSeparator());
        assertThat(work).doesNotExist();
    }

    @Test
    void everyScenarioLoadsItsHandlerThroughTheFunctionLoader(@TempDir Path dir) throws Exception {
        // one invocation per scenario: each must get past HandlerLoader or the count falls short
        assertThat(Training.run(Training.SCENARIOS.length, dir.resolve("work"), new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))).isEqualTo(Training.SCENARIOS.length);
    }

    @Test
    void runsAsItsOwnProcessAndExitsZero(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classpath = TestCompiler.runtimeLocation() + File.pathSeparator + TestCompiler.apiLocation();
        Process p = new ProcessBuilder(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                "dev.cumulus.runtime.Training", "20", dir.resolve("work").toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).startsWith(Training.FIRST_ANSWER).contains("20 invocations answered");
    }

    @Test
    void warmsTheLambdaContextProxiesWithoutFailing() {
        // a failure here would abort every training run and stem-cell warm-up
        Training.warmLambdaContexts();
        LambdaContexts contexts = new LambdaContexts(dev.cumulus.runtime.training.LambdaShapes.Context.class);
        var context = (dev.cumulus.runtime.training.LambdaShapes.Context) contexts.contextFor(new InvocationContext(
                "r-1", "f", "$LATEST", 128, System.currentTimeMillis() + 1_000, m -> {}));
        assertThat(context.getAwsRequestId()).isEqualTo("r-1");
        assertThat(context.getLogGroupName()).isEqualTo("/aws/lambda/f");
        assertThat(context.getIdentity()).isNull();
    }
}
